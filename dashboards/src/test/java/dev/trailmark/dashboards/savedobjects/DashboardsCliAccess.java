package dev.trailmark.dashboards.savedobjects;

/** Lets the internal package's tests read what the CLI sets, without widening the public API. */
public final class DashboardsCliAccess {
  private DashboardsCliAccess() {}

  /** The correlated-logs field mapping install sets in the Observability plugin. */
  public static String correlatedLogsFields() {
    return DashboardsCli.CORRELATED_LOGS_FIELDS;
  }
}
