import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Map;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.AbstractLocalDynamoDBServerHandler;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler;
import software.amazon.dynamodb.services.local.shared.access.LocalDBClient;
import software.amazon.dynamodb.services.local.shared.access.sqlite.SQLiteDBAccess;

/**
 * DynamoDB Local as `npm start` runs it (started by infra/local/dynamodb.ts with Java's
 * single-file source launcher, the jar on the class path, the jar's own arguments).
 *
 * DynamoDB Local has no bind-address option: its Jetty server listens on every interface and
 * answers any credentials. Its connector is reachable by reflection before it starts, so this
 * binds it to 127.0.0.1. It also exits when its parent does: the parent holds the other end of
 * stdin, and end of input means the parent is gone, even if it was killed with SIGKILL.
 *
 * And it answers no request before its writes are committed. DynamoDB Local runs every SQLite
 * statement as a job on one queue thread per database and waits for each job, except the COMMIT
 * (and ROLLBACK) of a transaction (TransactWriteItems, ExecuteTransaction): those are queued and
 * the answer goes out at once, so a process killed right after answering loses a transaction the
 * client saw succeed. Before the first byte of any answer, this waits for an empty job queued
 * behind everything else: the queue runs in order, so the COMMIT has run (and been fsynced).
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
    Field handlerField = DynamoDBProxyServer.class.getDeclaredField("serverHandler");
    handlerField.setAccessible(true);
    CommittedBeforeAnswer committed = new CommittedBeforeAnswer((AbstractLocalDynamoDBServerHandler) handlerField.get(proxy));
    jetty.setHandler(new Handler.Wrapper(jetty.getHandler()) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(request, new Response.Wrapper(request, response) {
          private boolean drained;

          @Override
          public void write(boolean last, ByteBuffer content, Callback written) {
            if (!drained) {
              drained = true;
              committed.await();
            }
            super.write(last, content, written);
          }
        }, callback);
      }
    });
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

  /** Waits until every SQLite job queued so far, on every database DynamoDB Local has open, has run. */
  static final class CommittedBeforeAnswer {
    private final Object requestHandler;
    private final Field databases;
    private final Field dbAccess;
    private final Field queue;

    CommittedBeforeAnswer(AbstractLocalDynamoDBServerHandler serverHandler) throws ReflectiveOperationException {
      Field primary = AbstractLocalDynamoDBServerHandler.class.getDeclaredField("primaryHandler");
      primary.setAccessible(true);
      requestHandler = primary.get(serverHandler);
      databases = LocalDynamoDBRequestHandler.class.getDeclaredField("dbRequestHandlers");
      databases.setAccessible(true);
      dbAccess = LocalDBClient.class.getDeclaredField("dbAccess");
      dbAccess.setAccessible(true);
      queue = SQLiteDBAccess.class.getDeclaredField("queue");
      queue.setAccessible(true);
    }

    void await() {
      try {
        if (!(requestHandler instanceof LocalDynamoDBRequestHandler)) return;
        Map<?, ?> open = (Map<?, ?>) databases.get(requestHandler);
        for (Object database : new ArrayList<>(open.values())) {
          if (!(database instanceof LocalDBClient)) continue;
          Object access = dbAccess.get(database);
          if (!(access instanceof SQLiteDBAccess)) continue;
          SQLiteQueue jobs = (SQLiteQueue) queue.get(access);
          if (jobs == null || jobs.isStopped()) continue;
          jobs.execute(new SQLiteJob<Void>() {
            @Override
            protected Void job(SQLiteConnection connection) {
              return null;
            }
          }).complete();
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
