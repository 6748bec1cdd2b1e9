/** What the rooms that search OpenSearch read the same way from its answers. */
package dev.trailmark.common.opensearch;
