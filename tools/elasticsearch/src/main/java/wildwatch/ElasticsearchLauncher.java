package wildwatch;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Starts and stops the single-node Elasticsearch of {@code make elasticsearch}.
 *
 * <p>{@code start} writes a configuration under {@code --home} (loopback only, single node,
 * security off, GeoIP downloader off, the heap given), starts the unpacked distribution with it
 * as a daemon, waits until the cluster is at least yellow, and returns; it does nothing when the
 * node is already up. {@code stop} ends the process named in the pid file and waits for it.
 * Elasticsearch refuses to run as root: {@code --user NAME} runs it as that user (the Makefile
 * creates one when it runs as root), and hands the home directory to that user.
 */
public final class ElasticsearchLauncher {
    private static final long START_TIMEOUT_MS = 240_000;
    private static final long STOP_TIMEOUT_MS = 60_000;

    private ElasticsearchLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("start") || args[0].equals("stop"))) {
            fail("usage: ElasticsearchLauncher start|stop --home DIR [--distribution DIR]"
                    + " [--port 9200] [--heap 1g] [--user NAME]");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                fail("unexpected argument: " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        Path home = Path.of(required(options, "home")).toAbsolutePath();
        if (args[0].equals("stop")) {
            stop(home);
        } else {
            start(home, options);
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            fail("--" + name + " is required");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("elasticsearch: " + message);
        System.exit(1);
    }

    private static void start(Path home, Map<String, String> options) throws Exception {
        Path distribution = Path.of(required(options, "distribution")).toAbsolutePath();
        int port = Integer.parseInt(options.getOrDefault("port", "9200"));
        String heap = options.getOrDefault("heap", "1g");
        String user = options.get("user");
        String url = "http://127.0.0.1:" + port;
        Path pidFile = home.resolve("elasticsearch.pid");
        if (running(pidFile).isPresent() && health(url) != null) {
            System.out.println("elasticsearch: already running at " + url);
            return;
        }
        if (health(url) != null) {
            fail("something else answers at " + url + "; stop it or choose another port");
        }
        Path config = home.resolve("config");
        Files.createDirectories(config.resolve("jvm.options.d"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        for (String name : new String[] {"jvm.options", "log4j2.properties"}) {
            Files.copy(distribution.resolve("config").resolve(name), config.resolve(name),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(config.resolve("jvm.options.d").resolve("wildwatch.options"),
                "-Xms" + heap + "\n-Xmx" + heap + "\n", StandardCharsets.UTF_8);
        List<String> settings = new ArrayList<>(List.of(
                "cluster.name: wildwatch-dev",
                "node.name: wildwatch-dev",
                "network.host: 127.0.0.1",
                "http.port: " + port,
                "transport.port: " + (port + 100),
                "discovery.type: single-node",
                "path.data: " + home.resolve("data"),
                "path.logs: " + home.resolve("logs"),
                // A development node on a shared disk: never turn indexes read-only.
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: true",
                "xpack.security.enabled: false"));
        if (Files.isDirectory(distribution.resolve("modules").resolve("ingest-geoip"))) {
            settings.add("ingest.geoip.downloader.enabled: false");
        }
        Files.writeString(config.resolve("elasticsearch.yml"), String.join("\n", settings) + "\n",
                StandardCharsets.UTF_8);
        Files.deleteIfExists(pidFile);

        List<String> command = new ArrayList<>();
        if (user != null) {
            handOver(home, user);
            command.addAll(List.of("runuser", "-u", user, "--"));
        }
        command.addAll(List.of(distribution.resolve("bin").resolve("elasticsearch").toString(),
                "-d", "-p", pidFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("logs").resolve("launcher.out").toFile());
        builder.environment().put("ES_PATH_CONF", config.toString());
        builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("ES_JAVA_OPTS");
        System.out.println("elasticsearch: starting at " + url + " (data in " + home.resolve("data")
                + ", heap " + heap + ")");
        int exit = builder.start().waitFor();
        if (exit != 0) {
            System.err.println(Files.readString(home.resolve("logs").resolve("launcher.out")));
            fail("the node did not start (exit code " + exit + "); logs in " + home.resolve("logs"));
        }
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            String status = health(url);
            if (status != null && (status.contains("\"green\"") || status.contains("\"yellow\""))) {
                System.out.println("elasticsearch: healthy at " + url);
                return;
            }
            if (running(pidFile).isEmpty() && Files.exists(pidFile)) {
                break;
            }
            Thread.sleep(500);
        }
        fail("the node did not become healthy; logs in " + home.resolve("logs"));
    }

    /** The home directory belongs to the user Elasticsearch runs as. */
    private static void handOver(Path home, String user) throws IOException {
        UserPrincipal owner = home.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(user);
        try (Stream<Path> paths = Files.walk(home)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setOwner(path, owner);
            }
        }
    }

    private static Optional<ProcessHandle> running(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException error) {
            return Optional.empty();
        }
    }

    /** The body of /_cluster/health, or null when nothing answers. */
    private static String health(String url) {
        try {
            HttpURLConnection connection =
                    (HttpURLConnection) new URL(url + "/_cluster/health?timeout=1s").openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            try (InputStream body = connection.getInputStream()) {
                return new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException error) {
            return null;
        }
    }

    private static void stop(Path home) throws Exception {
        Path pidFile = home.resolve("elasticsearch.pid");
        Optional<ProcessHandle> process = running(pidFile);
        if (process.isEmpty()) {
            System.out.println("elasticsearch: not running (no live process in " + pidFile + ")");
            Files.deleteIfExists(pidFile);
            return;
        }
        ProcessHandle handle = process.get();
        handle.destroy();
        long deadline = System.currentTimeMillis() + STOP_TIMEOUT_MS;
        while (handle.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        if (handle.isAlive()) {
            handle.destroyForcibly();
        }
        Files.deleteIfExists(pidFile);
        System.out.println("elasticsearch: stopped");
    }
}
