/** Typed, field-naming reads of the maps a YAML parser returns (rule files). */
package dev.trailmark.common.yaml;
