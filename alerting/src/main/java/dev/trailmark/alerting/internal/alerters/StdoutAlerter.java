package dev.trailmark.alerting.internal.alerters;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.internal.Notices;
import java.io.PrintStream;

/** Prints a notice to the runner's standard output (ElastAlert's {@code debug}/{@code stdout}). */
public final class StdoutAlerter implements Alerter {
  private final PrintStream out;

  /** Prints to {@code out}. */
  public StdoutAlerter(PrintStream out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "stdout";
  }

  @Override
  public void send(ObjectNode notice) {
    synchronized (out) {
      out.println(Notices.title(notice));
      out.println(Notices.body(notice).indent(2).stripTrailing());
      out.flush();
    }
  }
}
