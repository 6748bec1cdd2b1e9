package dev.trailmark.collector.opensearch;

import java.net.URI;

/**
 * A running local OpenSearch node as the launcher found or started it.
 *
 * @param baseUri where its REST API listens, for example {@code http://127.0.0.1:9200}
 * @param pid the server's process id, or -1 when it was found by its HTTP answer alone
 * @param startedHere true when this launcher started it (and so should stop it), false when reused
 */
public record LocalOpenSearch(URI baseUri, long pid, boolean startedHere) {}
