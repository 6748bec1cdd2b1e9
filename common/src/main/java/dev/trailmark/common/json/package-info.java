/** The one JSON mapper every Trailmark module reads and writes with. */
package dev.trailmark.common.json;
