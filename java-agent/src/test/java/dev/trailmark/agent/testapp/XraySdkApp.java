package dev.trailmark.agent.testapp;

import com.amazonaws.xray.AWSXRay;
import com.amazonaws.xray.entities.Subsegment;
import com.amazonaws.xray.interceptors.TracingInterceptor;
import com.amazonaws.xray.jakarta.servlet.AWSXRayServletFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A service traced with the AWS X-Ray SDK for Java as its documentation shows, on Tomcat 11: {@code
 * /work} opens a subsegment {@code app-work} with {@code AWSXRay.beginSubsegment} and calls SQS
 * ({@code app.sqs.endpoint}) through a client carrying the X-Ray SDK v2 {@code TracingInterceptor};
 * {@code /filtered/work} does the same behind X-Ray's {@code AWSXRayServletFilter} (segment name
 * {@code xray-filter}).
 */
public final class XraySdkApp {

  public static void main(String[] args) throws Exception {
    EmbeddedTomcat tomcat = new EmbeddedTomcat();
    Context context = tomcat.context;
    Tomcat.addServlet(context, "work", new WorkServlet());
    context.addServletMappingDecoded("/work", "work");
    context.addServletMappingDecoded("/filtered/work", "work");
    FilterDef filter = new FilterDef();
    filter.setFilterName("xray");
    filter.setFilter(new AWSXRayServletFilter("xray-filter"));
    context.addFilterDef(filter);
    FilterMap map = new FilterMap();
    map.setFilterName("xray");
    map.addURLPatternDecoded("/filtered/*");
    context.addFilterMap(map);
    tomcat.serve();
  }

  /** Opens a subsegment and calls SQS inside it. */
  public static final class WorkServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient SqsClient sqs =
        SqsClient.builder()
            .endpointOverride(URI.create(System.getProperty("app.sqs.endpoint")))
            .region(Region.US_EAST_1)
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .addExecutionInterceptor(new TracingInterceptor())
                    .build())
            .build();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Subsegment work = AWSXRay.beginSubsegment("app-work");
      int queues;
      try {
        work.putAnnotation("step", "work");
        queues = sqs.listQueues().queueUrls().size();
      } finally {
        AWSXRay.endSubsegment();
      }
      response.getWriter().print("queues=" + queues);
    }
  }
}
