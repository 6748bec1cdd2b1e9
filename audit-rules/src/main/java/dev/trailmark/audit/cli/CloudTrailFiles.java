package dev.trailmark.audit.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.trailmark.common.json.Json;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Finds and streams CloudTrail log files: {@code {"Records":[...]}} documents, gzipped or not,
 * given as files or as folders laid out as CloudTrail writes to S3 ({@code
 * AWSLogs/<account>/CloudTrail/ <region>/yyyy/mm/dd/*.json.gz}). Digest and Insight folders are not
 * log files and are skipped.
 */
final class CloudTrailFiles {
  private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

  /**
   * Reads one record at a time out of the {@code Records} array: the rest of the array follows each
   * record, so the shared mapper's refusal of trailing tokens is off here.
   */
  private static final ObjectReader RECORD =
      Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private CloudTrailFiles() {}

  /** Every log file named by or under the given paths, sorted within each folder. */
  static List<Path> expand(List<Path> paths) throws IOException {
    return jsonFiles(
        paths,
        p ->
            !p.toString().contains("CloudTrail-Digest")
                && !p.toString().contains("CloudTrail-Insight"));
  }

  /**
   * Every file named by the given paths, and every {@code .json} / {@code .json.gz} file under the
   * given folders that {@code keep} accepts, sorted within each folder.
   */
  static List<Path> jsonFiles(List<Path> paths, Predicate<Path> keep) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(Files::isRegularFile)
              .filter(p -> isLogFileName(p.getFileName().toString()))
              .filter(keep)
              .sorted()
              .forEach(out::add);
        }
      } else if (Files.isRegularFile(path)) {
        out.add(path);
      } else {
        throw new IOException("no such file or folder: " + path);
      }
    }
    return out;
  }

  static boolean isLogFileName(String name) {
    return name.endsWith(".json.gz") || name.endsWith(".json");
  }

  /**
   * Opens a file, transparently gunzipping by magic number (CloudTrail names are not always
   * honest). Nothing buffers on top of the gunzip stream: a {@code BufferedInputStream} there fills
   * its buffer with several reads and throws away what it already had when a later one fails, so a
   * truncated file lost every record in its last 64 KiB (all of a small file). The JSON parser
   * buffers itself, one read at a time, and keeps every record decompressed before the damage.
   */
  static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }

  /**
   * Streams the records of one log file to {@code sink}, one tree per record, never holding the
   * whole file. Returns the number of records; throws IOException naming the problem (and how many
   * records came before it, all of them already given to {@code sink}) when the file is not a
   * CloudTrail log file or is damaged.
   */
  static long forEachRecord(Path file, Consumer<JsonNode> sink) throws IOException {
    long count = 0;
    try (InputStream in = open(file);
        JsonParser parser = FACTORY.createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a CloudTrail log file (expected {\"Records\":[...]})");
      }
      boolean sawRecords = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("Records".equals(field) && value == JsonToken.START_ARRAY) {
          sawRecords = true;
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            JsonNode record = RECORD.readTree(parser);
            sink.accept(record);
            count++;
          }
          if (parser.currentToken() != JsonToken.END_ARRAY) {
            throw new IOException("Records holds a non-object at record " + count);
          }
        } else {
          parser.skipChildren();
        }
      }
      if (!sawRecords) {
        throw new IOException("not a CloudTrail log file (no Records array)");
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(
          "malformed JSON after " + count + " records: " + e.getOriginalMessage(), e);
    } catch (EOFException | ZipException e) {
      throw new IOException(
          "truncated or corrupt file after " + count + " records: " + e.getMessage(), e);
    }
    return count;
  }
}
