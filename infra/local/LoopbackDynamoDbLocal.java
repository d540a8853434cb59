import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local as `npm start` runs it (started by infra/local/dynamodb.ts with Java's
 * single-file source launcher, the jar on the class path, the jar's own arguments).
 *
 * DynamoDB Local has no bind-address option: its Jetty server listens on every interface and
 * answers any credentials. Its connector is reachable by reflection before it starts, so this
 * binds it to 127.0.0.1. It also exits when its parent does: the parent holds the other end of
 * stdin, and end of input means the parent is gone, even if it was killed with SIGKILL.
 */
public final class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector connector : jetty.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on 127.0.0.1 only");

    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // input is ignored; only its end matters
        }
      } catch (IOException e) {
        // a broken pipe means the same thing as its end
      }
      try {
        proxy.stop();
      } catch (Exception e) {
        // exiting anyway
      }
      System.exit(0);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
