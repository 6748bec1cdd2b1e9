package dev.trailmark.agent.testapp;

import java.util.EnumSet;

/**
 * Embedded Jetty 9.4, 10 or 11 (whichever is on the class path) on an ephemeral loopback port:
 * {@code app.flavour} ({@code javax} or {@code jakarta}) picks the servlets, the orders servlet
 * under {@code /orders/*} and the asynchronous one under {@code /slow/*}, behind the guard filter.
 * Set up by reflection, as the tests compile against Jetty 12, whose classes have other names.
 */
public final class JettyClassicApp {

  public static void main(String[] args) throws Exception {
    String flavour = System.getProperty("app.flavour");
    String prefix =
        "dev.trailmark.agent.testapp." + (flavour.equals("javax") ? "Javax" : "Jakarta");
    Class<?> serverType = Class.forName("org.eclipse.jetty.server.Server");
    Object server = serverType.getConstructor().newInstance();
    Class<?> connectorType = Class.forName("org.eclipse.jetty.server.ServerConnector");
    Object connector = connectorType.getConstructor(serverType).newInstance(server);
    connectorType.getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
    connectorType.getMethod("setPort", int.class).invoke(connector, 0);
    serverType
        .getMethod("addConnector", Class.forName("org.eclipse.jetty.server.Connector"))
        .invoke(server, connector);

    Class<?> contextType = Class.forName("org.eclipse.jetty.servlet.ServletContextHandler");
    Object context = contextType.getConstructor().newInstance();
    contextType.getMethod("setContextPath", String.class).invoke(context, "/");
    for (String[] servlet :
        new String[][] {
          {prefix + "OrdersServlet", "/orders/*"}, {prefix + "SlowServlet", "/slow/*"}
        }) {
      Object holder =
          contextType
              .getMethod("addServlet", String.class, String.class)
              .invoke(context, servlet[0], servlet[1]);
      holder.getClass().getMethod("setAsyncSupported", boolean.class).invoke(holder, true);
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Enum> dispatcherType = (Class<Enum>) Class.forName(flavour + ".servlet.DispatcherType");
    @SuppressWarnings("unchecked")
    Object dispatches = EnumSet.of(Enum.valueOf(dispatcherType, "REQUEST"));
    Object filter =
        contextType
            .getMethod("addFilter", String.class, String.class, EnumSet.class)
            .invoke(context, prefix + "GuardFilter", "/*", dispatches);
    filter.getClass().getMethod("setAsyncSupported", boolean.class).invoke(filter, true);

    serverType
        .getMethod("setHandler", Class.forName("org.eclipse.jetty.server.Handler"))
        .invoke(server, context);
    serverType.getMethod("start").invoke(server);
    System.out.println("READY " + connectorType.getMethod("getLocalPort").invoke(connector));
    serverType.getMethod("join").invoke(server);
  }
}
