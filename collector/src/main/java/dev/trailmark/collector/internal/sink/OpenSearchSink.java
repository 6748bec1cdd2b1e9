package dev.trailmark.collector.internal.sink;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable path from the collector's endpoints to OpenSearch: {@link #write} returns once the
 * documents are in the write-ahead log, and a shipper thread bulk-indexes the log into OpenSearch
 * in order.
 *
 * <p>While OpenSearch is unreachable, writes are refused with {@link
 * SinkBusyException.Reason#UNAVAILABLE}; while the not-yet-indexed backlog exceeds its byte bound,
 * with {@link SinkBusyException.Reason#THROTTLED}. Either way the client retries and nothing
 * acknowledged is lost.
 */
public final class OpenSearchSink implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(OpenSearchSink.class);

  /** Index (after the prefix) of documents OpenSearch refused even in their text form. */
  public static final String DEAD_LETTER_INDEX = "trailmark-dead-letter";

  /** File in the write-ahead log directory keeping documents OpenSearch refused in every form. */
  public static final String SET_ASIDE_FILE = "set-aside.ndjson";

  private final URI openSearch;
  private final String indexPrefix;
  private final long maxBacklogBytes;
  private final long maxBulkBytes;
  private final int concurrency;
  private final OpenSearchTransport transport;
  private final OpenSearchClient client;
  private final BulkWriter writer;
  private final WriteAheadLog wal;
  private final Thread shipper;
  private final AtomicLong indexed = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong rejectedByOpenSearch = new AtomicLong();
  private final AtomicLong bulkRequests = new AtomicLong();
  private final AtomicLong storedAsText = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong setAside = new AtomicLong();
  private final java.nio.file.Path setAsideFile;
  private final String deadLetterIndex;
  private volatile boolean available = true;
  private volatile boolean running = true;
  private volatile boolean templatesInstalled;

  private OpenSearchSink(Builder b) throws IOException {
    this.openSearch = Objects.requireNonNull(b.openSearch, "openSearch");
    this.indexPrefix = b.indexPrefix;
    this.maxBacklogBytes = b.maxBacklogBytes;
    this.maxBulkBytes = b.maxBulkBytes;
    this.concurrency = b.concurrency;
    this.transport = OpenSearchTransports.create(openSearch, b.requestTimeout);
    this.client = new OpenSearchClient(transport);
    this.deadLetterIndex = indexPrefix + DEAD_LETTER_INDEX;
    this.writer = new BulkWriter(client, 0, 100, 5_000, maxBulkBytes, deadLetterIndex);
    this.wal = new WriteAheadLog(Objects.requireNonNull(b.walDir, "walDir"), b.segmentBytes);
    this.setAsideFile = b.walDir.resolve(SET_ASIDE_FILE);
    if (java.nio.file.Files.exists(setAsideFile)) {
      try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(setAsideFile)) {
        setAside.set(lines.count());
      }
    }
    this.shipper = new Thread(this::ship, "trailmark-opensearch-shipper");
    shipper.setDaemon(true);
  }

  /** A builder; only {@code openSearch} and {@code walDir} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts shipping (replaying whatever the write-ahead log still holds). */
  public OpenSearchSink start() {
    // One synchronous attempt, so that a collector started without OpenSearch refuses data from the
    // first request.
    try {
      installTemplates();
    } catch (IOException | RuntimeException e) {
      available = false;
      log.warn(
          "OpenSearch at {} unreachable at start ({}); refusing new data until it answers",
          openSearch,
          e.toString());
    }
    shipper.start();
    return this;
  }

  /**
   * Makes the batch durable; returns once it is forced to the write-ahead log.
   *
   * @throws SinkBusyException when OpenSearch is unreachable or the backlog is at its byte bound
   */
  public void write(DocumentBatch batch) throws SinkBusyException, IOException {
    if (batch.size() == 0) {
      return;
    }
    if (!available) {
      throw new SinkBusyException(
          SinkBusyException.Reason.UNAVAILABLE,
          "OpenSearch at " + openSearch + " is unreachable; retry later");
    }
    if (wal.backlogBytes() + batch.byteSize() > maxBacklogBytes) {
      throw new SinkBusyException(
          SinkBusyException.Reason.THROTTLED,
          "Rate exceeded: "
              + wal.backlogBytes()
              + " bytes are waiting for OpenSearch; retry later");
    }
    wal.append(batch.toBulkBody());
  }

  /** The OpenSearch client this sink writes with (for reads served from OpenSearch). */
  public OpenSearchClient client() {
    return client;
  }

  /** The index name prefix. */
  public String indexPrefix() {
    return indexPrefix;
  }

  /** Whether the last contact with OpenSearch succeeded. */
  public boolean available() {
    return available;
  }

  /** Bytes in the write-ahead log not yet indexed. */
  public long backlogBytes() {
    return wal.backlogBytes();
  }

  /** Documents indexed since start. */
  public long indexedCount() {
    return indexed.get();
  }

  /** Document retries after item failures (429/5xx) since start. */
  public long retriedCount() {
    return retried.get();
  }

  /** Documents OpenSearch refused for good (mapping conflicts) since start. */
  public long rejectedByOpenSearchCount() {
    return rejectedByOpenSearch.get();
  }

  /**
   * Refused documents stored in their text form (original as {@code body} plus the reason) since
   * start.
   */
  public long storedAsTextCount() {
    return storedAsText.get();
  }

  /** Refused documents written to the dead-letter index since start. */
  public long deadLetteredCount() {
    return deadLettered.get();
  }

  /**
   * Documents kept in {@link #setAsideFile()} because OpenSearch refused them in every form (all
   * time).
   */
  public long setAsideCount() {
    return setAside.get();
  }

  /** The dead-letter index name. */
  public String deadLetterIndex() {
    return deadLetterIndex;
  }

  /** The file of documents set aside (one JSON line each: index, id, reason, document). */
  public java.nio.file.Path setAsideFile() {
    return setAsideFile;
  }

  /** {@code _bulk} requests sent since start. */
  public long bulkRequestCount() {
    return bulkRequests.get();
  }

  @Override
  public void close() throws IOException {
    running = false;
    shipper.interrupt();
    try {
      shipper.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    wal.close();
    transport.close();
  }

  /** One chunk of the write-ahead log being indexed. */
  private static final class InFlight {
    final WriteAheadLog.Chunk chunk;
    Future<BulkWriter.Result> future;

    InFlight(WriteAheadLog.Chunk chunk, Future<BulkWriter.Result> future) {
      this.chunk = chunk;
      this.future = future;
    }
  }

  /**
   * Reads the write-ahead log in order and keeps up to {@code concurrency} bulk requests in flight;
   * chunks are committed strictly in log order, so a restart replays from the first chunk not known
   * to be indexed.
   */
  private void ship() {
    AtomicLong threadIds = new AtomicLong();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "trailmark-opensearch-bulk-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    long backoff = 100;
    try {
      while (running) {
        try {
          if (!templatesInstalled) {
            installTemplates();
          }
          Throwable failure = null;
          while (!inFlight.isEmpty() && inFlight.peekFirst().future.isDone()) {
            InFlight head = inFlight.peekFirst();
            try {
              BulkWriter.Result result = head.future.get();
              keep(result.setAside());
              wal.commit(head.chunk);
              inFlight.removeFirst();
              indexed.addAndGet(result.indexed());
              retried.addAndGet(result.retried());
              rejectedByOpenSearch.addAndGet(result.rejected());
              storedAsText.addAndGet(result.storedAsText());
              deadLettered.addAndGet(result.deadLettered());
              markAvailable();
              backoff = 100;
            } catch (ExecutionException e) {
              failure = e.getCause();
              break;
            }
          }
          if (failure != null) {
            if (answers()) {
              // Slow is not down: OpenSearch answers, so clients keep being accepted (or throttled
              // by the backlog).
              log.warn(
                  "a bulk request to OpenSearch at {} failed ({}), but OpenSearch answers; retrying",
                  openSearch,
                  failure.toString());
            } else {
              markUnavailable(failure);
            }
            Thread.sleep(backoff);
            backoff = Math.min(5_000, backoff * 2);
            for (InFlight f : inFlight) {
              if (f.future.isDone() && failed(f.future)) {
                f.future = submit(pool, f.chunk);
              }
            }
            continue;
          }
          WriteAheadLog.Position next =
              inFlight.isEmpty() ? wal.readPosition() : inFlight.peekLast().chunk.end();
          if (inFlight.size() < concurrency) {
            if (wal.awaitRecords(next, inFlight.isEmpty() ? (available ? 1_000 : 250) : 5)) {
              WriteAheadLog.Chunk chunk = wal.read(next, maxBulkBytes);
              inFlight.addLast(new InFlight(chunk, submit(pool, chunk)));
            } else if (inFlight.isEmpty() && !available) {
              probe();
            }
          } else {
            try {
              inFlight.peekFirst().future.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
              // handled on the next turn
            }
          }
        } catch (InterruptedException e) {
          if (!running) {
            return;
          }
        } catch (IOException | RuntimeException e) {
          if (!running) {
            return;
          }
          markUnavailable(e);
          try {
            Thread.sleep(backoff);
          } catch (InterruptedException ie) {
            if (!running) {
              return;
            }
          }
          backoff = Math.min(5_000, backoff * 2);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Future<BulkWriter.Result> submit(ExecutorService pool, WriteAheadLog.Chunk chunk) {
    bulkRequests.incrementAndGet();
    return pool.submit(() -> writer.write(chunk.payload(), () -> running));
  }

  private static boolean failed(Future<?> future) {
    try {
      future.get();
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void markUnavailable(Throwable cause) {
    if (available) {
      log.warn(
          "OpenSearch at {} unreachable ({}); refusing new data until it answers",
          openSearch,
          cause.toString());
    }
    available = false;
  }

  private boolean answers() {
    try {
      client.info();
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Appends documents OpenSearch refused in every form to the set-aside file and forces it to disk.
   */
  private void keep(java.util.List<String> lines) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    StringBuilder text = new StringBuilder();
    lines.forEach(l -> text.append(l).append('\n'));
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            setAsideFile,
            java.util.Set.of(
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.APPEND),
            PrivateFiles.fileAttribute())) {
      java.nio.ByteBuffer buffer =
          java.nio.ByteBuffer.wrap(
              text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    setAside.addAndGet(lines.size());
    log.error(
        "{} documents OpenSearch refused in every form are kept in {}", lines.size(), setAsideFile);
  }

  private void installTemplates() throws IOException {
    try {
      IndexTemplates.install(client, indexPrefix);
    } catch (IndexTemplates.RejectedException e) {
      log.warn("{}; indexing goes on with the mappings OpenSearch already has", e.getMessage());
    }
    templatesInstalled = true;
  }

  private void probe() throws IOException {
    client.info();
    markAvailable();
  }

  private void markAvailable() {
    if (!available) {
      log.info("OpenSearch at {} answers again", openSearch);
    }
    available = true;
  }

  /** Builder of an {@link OpenSearchSink}. */
  public static final class Builder {
    private URI openSearch = URI.create("http://127.0.0.1:9200");
    private String indexPrefix = "";
    private Path walDir;
    private long maxBacklogBytes = 256L * 1024 * 1024;
    private long maxBulkBytes = 4L * 1024 * 1024;
    private int concurrency = 3;
    private long segmentBytes = 64L * 1024 * 1024;
    private java.time.Duration requestTimeout = java.time.Duration.ofSeconds(30);

    private Builder() {}

    /**
     * How long one request to OpenSearch may take (default 30 s). A request that takes longer is
     * retried; OpenSearch counts as unavailable only when it then does not answer a probe either.
     */
    public Builder requestTimeout(java.time.Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Base URI of OpenSearch (default {@code http://127.0.0.1:9200}). */
    public Builder openSearch(URI uri) {
      this.openSearch = uri;
      return this;
    }

    /** Prefix of every index and template name (default none). */
    public Builder indexPrefix(String prefix) {
      this.indexPrefix = Objects.requireNonNull(prefix);
      return this;
    }

    /** Directory of the write-ahead log. */
    public Builder walDir(Path dir) {
      this.walDir = dir;
      return this;
    }

    /** Bound of the not-yet-indexed backlog; writes past it are throttled (default 256 MiB). */
    public Builder maxBacklogBytes(long bytes) {
      this.maxBacklogBytes = bytes;
      return this;
    }

    /** Bulk requests kept in flight at once (default 3); the log is still committed in order. */
    public Builder concurrency(int requests) {
      this.concurrency = Math.max(1, requests);
      return this;
    }

    /** Upper size of one {@code _bulk} request (default 4 MiB). */
    public Builder maxBulkBytes(long bytes) {
      this.maxBulkBytes = bytes;
      return this;
    }

    /** Size at which the write-ahead log starts a new segment file (default 64 MiB). */
    public Builder segmentBytes(long bytes) {
      this.segmentBytes = bytes;
      return this;
    }

    /** Opens the write-ahead log and connects (lazily) to OpenSearch. */
    public OpenSearchSink build() throws IOException {
      return new OpenSearchSink(this);
    }
  }
}
