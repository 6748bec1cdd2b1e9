package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka producer and consumer as applications write them, on the broker {@code app.kafka}: {@code
 * /send?value=v} sends {@code v} to topic {@code app.kafka.topic} with a callback and answers once
 * the callback fired ({@code sent callback=true}); {@code /send-own?value=v} sends a record
 * carrying the application's own {@code traceparent}; {@code /send-plain?value=v} sends without a
 * callback and waits on the future. With {@code app.kafka.consume} a background thread polls the
 * topic and, for each record (read in a for-each loop over the batch with {@code loop}, over {@code
 * records(topic)} with {@code topic}, by {@code forEach} over each {@code records(partition)} with
 * {@code partition}), prints {@code PROCESSED value=<v> traceparent=<header> xray=<header>}, after
 * logging {@code processing <v>}.
 */
public final class KafkaApp {

  private static final Logger log = LoggerFactory.getLogger(KafkaApp.class);

  /** An application's own W3C header, which the agent must leave as it is. */
  static final String OWN_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  public static void main(String[] args) throws Exception {
    String brokers = System.getProperty("app.kafka");
    String topic = System.getProperty("app.kafka.topic");
    String consume = System.getProperty("app.kafka.consume");
    if (consume != null) {
      Thread poller = new Thread(() -> consume(brokers, topic, consume), "poller");
      poller.setDaemon(true);
      poller.start();
    }
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    KafkaProducer<String, String> producer = new KafkaProducer<>(config);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/send",
        exchange -> {
          String value = exchange.getRequestURI().getQuery().substring("value=".length());
          ProducerRecord<String, String> record =
              new ProducerRecord<>(
                  topic,
                  exchange.getRequestURI().getPath().equals("/send-big")
                      ? value.repeat(2 * 1024 * 1024 / value.length() + 1) // over max.request.size
                      : value);
          if (exchange.getRequestURI().getPath().equals("/send-own")) {
            record.headers().add("traceparent", OWN_TRACEPARENT.getBytes(StandardCharsets.UTF_8));
          }
          if (exchange.getRequestURI().getPath().equals("/send-plain")) {
            try {
              producer.send(record).get(); // no callback: the future alone
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
              throw new IOException(e);
            }
            answer(exchange, "sent future=true");
            return;
          }
          CompletableFuture<Boolean> acked = new CompletableFuture<>();
          producer.send(record, (metadata, error) -> acked.complete(error == null));
          answer(exchange, "sent callback=" + acked.join());
        });
    server.start();
    System.out.println("READY " + server.getAddress().getPort());
  }

  private static void consume(String brokers, String topic, String how) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-app-" + how);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      while (true) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        switch (how) {
          case "topic":
            for (ConsumerRecord<String, String> record : records.records(topic)) {
              process(record);
            }
            break;
          case "partition":
            for (TopicPartition partition : records.partitions()) {
              records.records(partition).forEach(KafkaApp::process);
            }
            break;
          default:
            for (ConsumerRecord<String, String> record : records) {
              process(record);
            }
        }
      }
    } catch (RuntimeException e) {
      System.out.println("poll failed: " + e);
    }
  }

  private static void process(ConsumerRecord<String, String> record) {
    log.info("processing {}", record.value());
    System.out.println(
        "PROCESSED value="
            + record.value()
            + " traceparent="
            + header(record, "traceparent")
            + " xray="
            + header(record, "X-Amzn-Trace-Id"));
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
