package dev.trailmark.bench.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Writes one day of CloudTrail management-event logs laid out as CloudTrail writes them to S3: a
 * gzipped {"Records":[...]} file every five minutes, with a realistic mix of read-only calls,
 * writes, failed calls and about four violating changes per thousand events. Deterministic (fixed
 * seed), so every run scans the same bytes.
 */
final class CloudTrailDay {
  static final String ACCOUNT = "123456789012";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter FILE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

  private CloudTrailDay() {}

  /** Writes {@code events} events in 288 files under {@code root}; returns the folder to scan. */
  static Path write(Path root, long events) throws IOException {
    Path dir = root.resolve("AWSLogs/" + ACCOUNT + "/CloudTrail/us-east-1/2026/11/20");
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(20261120L);
    Instant start = Instant.parse("2026-11-20T00:00:00Z");
    int files = 288;
    long written = 0;
    for (int f = 0; f < files; f++) {
      long inFile = (events - written) / (files - f);
      Instant fileStart = start.plusSeconds(300L * f);
      Path file =
          dir.resolve(
              ACCOUNT
                  + "_CloudTrail_us-east-1_"
                  + FILE.format(fileStart.plusSeconds(300))
                  + "_"
                  + Long.toHexString(random.nextLong()).substring(0, 8)
                  + ".json.gz");
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
          Writer w =
              new java.io.BufferedWriter(
                  new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
        w.write("{\"Records\":[");
        for (long i = 0; i < inFile; i++) {
          if (i > 0) {
            w.write(',');
          }
          w.write(event(random, fileStart.plusMillis(i * 300_000L / Math.max(1, inFile))));
        }
        w.write("]}");
      }
      written += inFile;
    }
    return root;
  }

  static String event(SplittableRandom r, Instant when) {
    int pick = r.nextInt(1000);
    String source;
    String name;
    String request;
    boolean readOnly = true;
    if (pick < 200) {
      source = "ec2.amazonaws.com";
      name = "DescribeInstances";
      request =
          "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0"
              + hex(r, 16)
              + "\"}]},\"filterSet\":{}}";
    } else if (pick < 350) {
      source = "sts.amazonaws.com";
      name = "AssumeRole";
      request =
          "{\"roleArn\":\"arn:aws:iam::"
              + ACCOUNT
              + ":role/orders-api\",\"roleSessionName\":\""
              + hex(r, 12)
              + "\",\"durationSeconds\":3600}";
    } else if (pick < 500) {
      source = "kms.amazonaws.com";
      name = "Decrypt";
      request =
          "{\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{\"aws:lambda:FunctionArn\":"
              + "\"arn:aws:lambda:us-east-1:"
              + ACCOUNT
              + ":function:orders-api\"}}";
    } else if (pick < 600) {
      source = "s3.amazonaws.com";
      name = r.nextBoolean() ? "GetBucketLocation" : "GetBucketAcl";
      request =
          "{\"bucketName\":\"orders-"
              + r.nextInt(40)
              + "\",\"Host\":\"s3.amazonaws.com\",\"location\":\"\"}";
    } else if (pick < 650) {
      source = "logs.amazonaws.com";
      name = "CreateLogStream";
      readOnly = false;
      request =
          "{\"logGroupName\":\"/aws/lambda/fn-"
              + r.nextInt(200)
              + "\",\"logStreamName\":\"2026/11/20/[$LATEST]"
              + hex(r, 32)
              + "\"}";
    } else if (pick < 700) {
      source = "lambda.amazonaws.com";
      name = "GetFunction20150331v2";
      request = "{\"functionName\":\"fn-" + r.nextInt(200) + "\"}";
    } else if (pick < 750) {
      source = "dynamodb.amazonaws.com";
      name = "DescribeTable";
      request = "{\"tableName\":\"orders-" + r.nextInt(10) + "\"}";
    } else if (pick < 800) {
      source = "iam.amazonaws.com";
      name = "GetRole";
      request = "{\"roleName\":\"orders-api-" + r.nextInt(30) + "\"}";
    } else if (pick < 850) {
      source = "apigateway.amazonaws.com";
      name = "GetRestApis";
      request = "{\"limit\":500}";
    } else if (pick < 880) {
      source = "cloudtrail.amazonaws.com";
      name = "LookupEvents";
      request = "{\"maxResults\":50}";
    } else if (pick < 910) {
      source = "ec2.amazonaws.com";
      name = "AuthorizeSecurityGroupIngress";
      readOnly = false;
      boolean open = r.nextInt(30) == 0;
      request =
          "{\"groupId\":\"sg-0"
              + hex(r, 16)
              + "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\","
              + "\"fromPort\":"
              + (open ? 22 : 443)
              + ",\"toPort\":"
              + (open ? 22 : 443)
              + ",\"groups\":{},"
              + "\"ipRanges\":{\"items\":[{\"cidrIp\":\""
              + (open ? "0.0.0.0/0" : "10." + r.nextInt(255) + ".0.0/16")
              + "\"}]},\"ipv6Ranges\":{},\"prefixListIds\":{}}]}}";
    } else if (pick < 930) {
      source = "apigateway.amazonaws.com";
      name = "UpdateStage";
      readOnly = false;
      boolean off = r.nextInt(20) == 0;
      request =
          "{\"restApiId\":\""
              + hex(r, 10)
              + "\",\"stageName\":\"prod\",\"updateStageInput\":{\"patchOperations\":"
              + "[{\"op\":\"replace\",\"path\":\"/tracingEnabled\",\"value\":\""
              + (off ? "false" : "true")
              + "\"}]}}";
    } else if (pick < 950) {
      source = "lambda.amazonaws.com";
      name = "UpdateFunctionConfiguration20150331v2";
      readOnly = false;
      boolean passThrough = r.nextInt(20) == 0;
      request =
          "{\"functionName\":\"fn-"
              + r.nextInt(200)
              + "\",\"memorySize\":1024,\"tracingConfig\":{\"mode\":\""
              + (passThrough ? "PassThrough" : "Active")
              + "\"}}";
    } else if (pick < 970) {
      source = "s3.amazonaws.com";
      name = "PutBucketPolicy";
      readOnly = false;
      boolean open = r.nextInt(20) == 0;
      request =
          "{\"bucketName\":\"orders-"
              + r.nextInt(40)
              + "\",\"bucketPolicy\":{\"Version\":\"2012-10-17\","
              + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
              + (open ? "\"*\"" : "{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"}")
              + ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::orders/*\"}]},"
              + "\"policy\":[\"\"],\"Host\":\"s3.amazonaws.com\"}";
    } else {
      source = "ssm.amazonaws.com";
      name = "GetParameters";
      request = "{\"names\":[\"/orders/db-url\"],\"withDecryption\":true}";
    }
    boolean failed = r.nextInt(33) == 0;
    String id = new UUID(r.nextLong(), r.nextLong()).toString();
    StringBuilder b = new StringBuilder(1400);
    b.append(
            "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAEXAMPLEID:")
        .append(hex(r, 8))
        .append("\",\"arn\":\"arn:aws:sts::")
        .append(ACCOUNT)
        .append(":assumed-role/orders-api/")
        .append(hex(r, 8))
        .append("\",\"accountId\":\"")
        .append(ACCOUNT)
        .append("\",\"accessKeyId\":\"ASIA")
        .append(hex(r, 16).toUpperCase(java.util.Locale.ROOT))
        .append(
            "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"AROAEXAMPLEID\",")
        .append("\"arn\":\"arn:aws:iam::")
        .append(ACCOUNT)
        .append(":role/orders-api\",\"accountId\":\"")
        .append(ACCOUNT)
        .append("\",\"userName\":\"orders-api\"},\"attributes\":{\"creationDate\":\"")
        .append(TIME.format(when.minusSeconds(900)))
        .append("\",\"mfaAuthenticated\":\"false\"}}},\"eventTime\":\"")
        .append(TIME.format(when))
        .append("\",\"eventSource\":\"")
        .append(source)
        .append("\",\"eventName\":\"")
        .append(name)
        .append("\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"10.")
        .append(r.nextInt(255))
        .append('.')
        .append(r.nextInt(255))
        .append('.')
        .append(r.nextInt(255))
        .append(
            "\",\"userAgent\":\"aws-sdk-java/2.40.2 Linux/6.1 OpenJDK_64-Bit_Server_VM/17.0.15 Java/17.0.15\",");
    if (failed) {
      b.append(
          "\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User is not authorized to perform this operation\",");
    }
    b.append("\"requestParameters\":")
        .append(request)
        .append(",\"responseElements\":null,\"requestID\":\"")
        .append(hex(r, 8))
        .append("-")
        .append(hex(r, 4))
        .append("-")
        .append(hex(r, 12))
        .append("\",\"eventID\":\"")
        .append(id)
        .append("\",\"readOnly\":")
        .append(readOnly)
        .append(",\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"")
        .append(ACCOUNT)
        .append("\",\"eventCategory\":\"Management\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",")
        .append("\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"")
        .append(source.replace("amazonaws.com", "us-east-1.amazonaws.com"))
        .append("\"}}");
    return b.toString();
  }

  private static String hex(SplittableRandom r, int digits) {
    StringBuilder b = new StringBuilder(digits);
    while (b.length() < digits) {
      b.append(Long.toHexString(r.nextLong() | Long.MIN_VALUE));
    }
    return b.substring(0, digits);
  }
}
