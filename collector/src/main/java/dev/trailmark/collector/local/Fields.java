package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads members of an AWS JSON request with AWS's validation errors. */
final class Fields {

  private Fields() {}

  static String requiredString(JsonNode request, String name) throws AwsException {
    String value = optionalString(request, name);
    if (value == null) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value null at '"
              + name
              + "' failed to satisfy constraint: Member must not be null");
    }
    return value;
  }

  static String optionalString(JsonNode request, String name) throws AwsException {
    JsonNode node = request.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw AwsException.serialization(
          "Unexpected value type for '" + name + "': expected a string");
    }
    return node.asText();
  }

  static Long optionalLong(JsonNode request, String name) throws AwsException {
    JsonNode node = request.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw AwsException.serialization(
          "Unexpected value type for '" + name + "': expected an integer");
    }
    return node.asLong();
  }

  static boolean optionalBoolean(JsonNode request, String name, boolean fallback)
      throws AwsException {
    JsonNode node = request.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw AwsException.serialization(
          "Unexpected value type for '" + name + "': expected a boolean");
    }
    return node.asBoolean();
  }

  static JsonNode requiredArray(JsonNode request, String name) throws AwsException {
    JsonNode node = request.get(name);
    if (node == null || node.isNull()) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value null at '"
              + name
              + "' failed to satisfy constraint: Member must not be null");
    }
    if (!node.isArray()) {
      throw AwsException.serialization("Unexpected value type for '" + name + "': expected a list");
    }
    return node;
  }

  static int limit(JsonNode request, String name, int max, int fallback) throws AwsException {
    Long value = optionalLong(request, name);
    if (value == null) {
      return fallback;
    }
    if (value < 1 || value > max) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value '"
              + value
              + "' at '"
              + name
              + "' failed to satisfy constraint: Member must have value between 1 and "
              + max);
    }
    return value.intValue();
  }
}
