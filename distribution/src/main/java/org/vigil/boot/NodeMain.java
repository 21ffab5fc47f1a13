package org.vigil.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.vigil.kernel.config.ConfigException;
import org.vigil.kernel.config.ConfigProblem;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.boot.BundleStore;

/**
 * Starts one Vigil node: {@code vigil node -c FILE [--state-dir DIR] [--node-id N | --name NAME]}.
 *
 * <p>Before any framework starts it validates the configuration (errors as {@code FILE:LINE: ...}, exit 1),
 * identifies the local node, and takes an exclusive lock on the state directory, so a second node on the same
 * state directory is refused without touching the first one's files. Then it boots Felix from the exported
 * distribution jar ({@code vigil.jar}, made by bnd from {@code vigil.bndrun}): the bundles embedded there are
 * installed with the start levels of the bndrun's start-level plan. It writes a pid file and stops the
 * framework cleanly on SIGTERM/SIGINT.
 *
 * <p>Exit status: 0 after a clean stop, 1 for bad arguments, configuration or a busy state directory, 3 if
 * the framework fails to start.
 */
public final class NodeMain {

    private static final String USAGE = "usage: vigil node -c FILE [--state-dir DIR] [--node-id N | --name NAME]";

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(args);
        exitStatus = status;
        System.exit(status);
    }

    static int run(String[] args) throws Exception {
        long started = System.currentTimeMillis();
        String config = null;
        String stateDir = null;
        String nodeId = null;
        String name = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String next = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "-c", "--config" -> { config = need(a, next); i++; }
                case "--state-dir" -> { stateDir = need(a, next); i++; }
                case "--node-id" -> { nodeId = need(a, next); i++; }
                case "--name" -> { name = need(a, next); i++; }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("vigil node: unknown argument '" + a + "'\n" + USAGE);
                    return 1;
                }
            }
        }
        if (config == null) {
            config = "/etc/vigil/vigil.conf";
        }
        if (stateDir == null) {
            stateDir = Optional.ofNullable(System.getenv("VIGIL_STATE_DIR")).filter(s -> !s.isEmpty())
                .orElse("/var/lib/vigil");
        }
        VigilConfig cfg;
        try {
            cfg = VigilConfig.load(Path.of(config));
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println("parser error: " + p);
            }
            return 1;
        }
        int id = 0;
        if (nodeId != null) {
            try {
                id = Integer.parseUnsignedInt(nodeId);
            } catch (NumberFormatException e) {
                System.err.println("vigil node: --node-id '" + nodeId + "' is not a node id");
                return 1;
            }
        }
        Optional<VigilConfig.Node> local = cfg.findLocalNode(hostName(), localAddresses(), id, name);
        if (local.isEmpty()) {
            System.err.println("vigil node: No valid name found for local host: "
                + (id != 0 ? "node id " + nodeId + " is not in " + config
                : name != null ? "no node named '" + name + "' in " + config
                : "no node of " + config + " has this host's name (" + hostName() + ") or one of its addresses; "
                    + "use --node-id N or --name NAME"));
            return 1;
        }
        Path state = Path.of(stateDir).toAbsolutePath();
        try {
            if (!Files.isDirectory(state)) {
                Files.createDirectories(state, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            System.err.println("vigil node: cannot create state dir " + state + ": " + BundleStore.oneLine(e));
            return 1;
        }
        FileLock lock;
        try {
            FileChannel lockChannel = FileChannel.open(state.resolve("vigil.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
        } catch (IOException e) {
            System.err.println("vigil node: cannot use state dir " + state + ": " + BundleStore.oneLine(e));
            return 1;
        }
        Path pidFile = state.resolve("vigil.pid");
        if (lock == null) {
            String pid = "?";
            try {
                pid = Files.exists(pidFile) ? Files.readString(pidFile).strip() : "?";
            } catch (IOException e) {
                // the message below still says what matters
            }
            System.err.println("vigil node: another node is already running with state dir " + state + " (pid " + pid
                + "); refusing to start a second one");
            return 1;
        }
        FileLock heldLock = lock;
        if (cfg.totem().secure()) {
            try {
                org.vigil.kernel.internal.wire.AuthKey.load(org.vigil.kernel.internal.wire.AuthKey.keyFile(cfg, state));
            } catch (IOException e) {
                System.err.println("vigil node: crypto " + cfg.totem().cryptoCipher() + "/" + cfg.totem().cryptoHash()
                    + " is configured but the key is unusable: " + e.getMessage());
                heldLock.release();
                return 1;
            }
        }
        Path cache = state.resolve("felix-cache");
        BundleStore store;
        try {
            // the pid file is written whole or not at all
            Path tmp = state.resolve("vigil.pid.tmp");
            Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
            Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            store = BundleStore.open(state, distributionHome().resolve("vigil.jar"));
        } catch (IOException e) {
            System.err.println("vigil node: cannot start in state dir " + state + ": " + BundleStore.oneLine(e));
            deleteQuietly(state.resolve("vigil.pid.tmp"));
            deleteQuietly(pidFile);
            heldLock.release();
            return 1;
        }
        Path home = distributionHome();
        System.setProperty("vigil.log.dir", state.toString());
        System.setProperty("vigil.pid", Long.toString(ProcessHandle.current().pid()));
        // The few bundles that log through java.util.logging (SPI Fly) get the same line shape as Logback's.
        System.setProperty("java.util.logging.SimpleFormatter.format",
            "%1$tb %1$td %1$tT.%1$tL [" + ProcessHandle.current().pid() + "] %4$-5.5s [JUL   ] %5$s%6$s%n");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", home.resolve("etc/logback.xml").toString());
        }

        trace(started, "main");
        Map<String, String> props = new HashMap<>();
        Launch launch = Launch.read(home.resolve("vigil.jar"));
        trace(started, "launch plan read");
        props.putAll(launch.runProperties());
        props.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(launch.maxStartLevel()));
        props.put("vigil.config", Path.of(config).toAbsolutePath().toString());
        props.put("vigil.state.dir", state.toString());
        props.put("vigil.node.id", Integer.toUnsignedString(local.get().nodeId()));
        props.put("vigil.started", Long.toString(started));
        props.put("vigil.home", home.toString());
        props.put("gosh.args", "--nointeractive");
        // The bundle cache of the last start is kept when the distribution, the bundle ledger and the Java version
        // are the same and the cache still holds exactly the bundles that start installed (FrameworkCache); else
        // it is cleaned and every bundle installed anew.
        FrameworkCache fwCache;
        try {
            fwCache = new FrameworkCache(state, home.resolve("vigil.jar"), store.directory().resolve("ledger"));
        } catch (IOException e) {
            System.err.println("vigil node: cannot start in state dir " + state + ": " + BundleStore.oneLine(e));
            deleteQuietly(pidFile);
            heldLock.release();
            return 1;
        }
        boolean reuse = fwCache.sourcesMatch();
        trace(started, "configuration read, state dir locked" + (reuse ? "; reusing the bundle cache" : ""));

        Framework[] fwHolder = new Framework[1];
        Runnable cleanup = () -> {
            deleteQuietly(pidFile);
            try {
                if (heldLock.isValid()) {
                    heldLock.release();
                }
            } catch (IOException e) {
                System.err.println("vigil node: cleanup failed: " + e);
            }
        };
        // SIGTERM/SIGINT: stop the framework cleanly, remove the pid file and exit 0, as corosync does. When the
        // JVM exits for another reason (a failed start) the hook keeps that exit status.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Framework f = fwHolder[0];
            if (f != null) {
                stop(f);
            }
            cleanup.run();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(exitStatus);
        }, "vigil-shutdown"));
        Framework fw = null;
        try {
            if (reuse) {
                fw = newFramework(props, false, fwHolder);
                fw.init();
                String why = fwCache.bundlesMatch(fw.getBundleContext());
                if (why != null) {
                    System.err.println("vigil node: the bundle cache is not used (" + why + "); installing the bundles"
                        + " anew");
                    fw.stop();
                    fw.waitForStop(20_000);
                    reuse = false;
                }
                trace(started, "framework initialized from its cache" + (reuse ? "" : " (discarded)"));
            }
            if (!reuse) {
                fwCache.forget();
                deleteTree(cache);
                fw = newFramework(props, true, fwHolder);
                fw.init();
                trace(started, "framework initialized");
                launch.install(fw.getBundleContext(), store);
                fwCache.record(fw.getBundleContext());
                trace(started, "bundles installed");
            }
            if (TRACE) {
                fw.getBundleContext().addBundleListener((org.osgi.framework.SynchronousBundleListener) ev -> {
                    if (ev.getType() == org.osgi.framework.BundleEvent.STARTED) {
                        trace(started, "started " + ev.getBundle().getSymbolicName());
                    }
                });
            }
            fw.start();
            trace(started, "framework started (bundles start level by level)");
        } catch (BundleException | IOException | RuntimeException | InterruptedException e) {
            System.err.println("vigil node: cannot start: " + rootCause(e) + " (state dir " + state + ")");
            if (fw != null) {
                stop(fw);
            }
            // nothing half-written stays behind: the next start installs every bundle anew
            fwCache.forget();
            deleteTree(cache);
            exitStatus = 3;
            return 3;
        }
        FrameworkEvent ev = fw.waitForStop(0);
        cleanup.run();
        exitStatus = ev.getType() == FrameworkEvent.ERROR ? 3 : 0;
        return exitStatus;
    }

    private static Framework newFramework(Map<String, String> props, boolean clean, Framework[] holder) {
        Map<String, String> p = new HashMap<>(props);
        if (clean) {
            p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        } else {
            p.remove(Constants.FRAMEWORK_STORAGE_CLEAN);
        }
        Framework fw = new FrameworkFactory().newFramework(p);
        holder[0] = fw;
        return fw;
    }

    /** With {@code -Dvigil.boot.trace=true}: one line per start-up phase on stderr, ms since the JVM started. */
    private static final boolean TRACE = Boolean.getBoolean("vigil.boot.trace");

    private static void trace(long mainStarted, String what) {
        if (TRACE) {
            long now = System.currentTimeMillis();
            long jvm = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(now);
            System.err.println("vigil node: boot +" + (now - jvm) + " ms (main +" + (now - mainStarted) + " ms): "
                + what);
        }
    }

    /** Exit status the shutdown hook ends the process with (0 for a signal). */
    private static volatile int exitStatus;

    /** The innermost useful cause, in one line, with the operating system's reason for an I/O error. */
    static String rootCause(Throwable e) {
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t != e) {
            String why = t instanceof IOException io ? BundleStore.oneLine(io) : String.valueOf(t.getMessage());
            b.append(": ").append(why.lines().findFirst().orElse(why));
        } else if (e instanceof IOException io) {
            return BundleStore.oneLine(io);
        }
        return b.toString();
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(NodeMain::deleteQuietly);
        } catch (IOException e) {
            // best effort
        }
    }

    private static String need(String option, String value) {
        if (value == null) {
            System.err.println("vigil node: " + option + " needs a value\n" + USAGE);
            System.exit(1);
        }
        return value;
    }

    /**
     * Before the framework stops, the services that take part in an orderly stop (any {@code Runnable} registered
     * with the property {@code vigil.shutdown.participant}: the controller, which has the cluster stop or move this
     * node's resources first) run, one after the other, each bounding its own wait.
     */
    private static void shutdownParticipants(Framework fw) {
        try {
            org.osgi.framework.BundleContext ctx = fw.getBundleContext();
            if (ctx == null) {
                return;
            }
            org.osgi.framework.ServiceReference<?>[] refs = ctx.getAllServiceReferences(Runnable.class.getName(),
                "(vigil.shutdown.participant=*)");
            if (refs == null) {
                return;
            }
            java.util.Arrays.sort(refs, java.util.Collections.reverseOrder());
            for (org.osgi.framework.ServiceReference<?> r : refs) {
                Object s = ctx.getService(r);
                if (s instanceof Runnable run) {
                    try {
                        run.run();
                    } catch (RuntimeException e) {
                        System.err.println("vigil node: " + r.getProperty("vigil.shutdown.participant")
                            + " failed to prepare the stop: " + e);
                    } finally {
                        ctx.ungetService(r);
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            System.err.println("vigil node: preparing the stop: " + e);
        }
    }

    private static void stop(Framework fw) {
        try {
            if ((fw.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                shutdownParticipants(fw);
                fw.stop();
                fw.waitForStop(20_000);
            }
        } catch (BundleException | InterruptedException e) {
            System.err.println("vigil node: clean stop failed: " + e);
        }
    }

    /** The directory holding vigil.jar, etc/ and lib/: the one this launcher's jar sits in. */
    static Path distributionHome() throws Exception {
        String override = System.getProperty("vigil.home");
        if (override != null) {
            return Path.of(override);
        }
        Path jar = Path.of(NodeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isDirectory(jar) ? jar.getParent() : jar.getParent();
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static Set<InetAddress> localAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isUp()) {
                    out.addAll(Collections.list(ni.getInetAddresses()));
                }
            }
        } catch (SocketException e) {
            // identification falls back to names
        }
        return out;
    }

    /**
     * The launch plan of the exported distribution jar: bnd's {@code launcher.properties} names the embedded
     * bundles ({@code launch.bundles}), their start levels ({@code launch.runbundles.attrs}) and the run
     * properties.
     */
    public record Launch(Path jar, List<String> bundles, Map<String, Integer> startLevels, Map<String, String> runProperties,
                         Map<String, String> symbolicNames, Map<String, String> versions) {

        public static Launch read(Path jar) throws IOException {
            java.util.Properties p = new java.util.Properties();
            try (JarFile jf = new JarFile(jar.toFile()); InputStream in = jf.getInputStream(
                jf.getEntry("launcher.properties"))) {
                p.load(in);
            }
            List<String> bundles = new java.util.ArrayList<>();
            for (String b : p.getProperty("launch.bundles", "").split(",")) {
                if (!b.isBlank()) {
                    bundles.add(b.strip());
                }
            }
            // launch.runbundles.attrs: "bsn;version=\"v\";startlevel=N,..." (commas inside quotes are not separators)
            Map<String, Integer> levelByBsn = new HashMap<>();
            for (String entry : splitOutsideQuotes(p.getProperty("launch.runbundles.attrs", ""))) {
                String[] parts = entry.split(";");
                for (int j = 1; j < parts.length; j++) {
                    if (parts[j].strip().startsWith("startlevel=")) {
                        levelByBsn.put(parts[0].strip(), Integer.parseInt(parts[j].strip().substring(11)));
                    }
                }
            }
            Map<String, Integer> levels = new HashMap<>();
            Map<String, String> names = new HashMap<>();
            Map<String, String> versions = new HashMap<>();
            try (JarFile jf = new JarFile(jar.toFile())) {
                for (String b : bundles) {
                    var entry = jf.getEntry(b);
                    if (entry == null) {
                        throw new IOException(jar + " has no entry " + b);
                    }
                    try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(jf.getInputStream(entry))) {
                        String bsn = in.getManifest() == null ? null
                            : in.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                        Integer level = bsn == null ? null : levelByBsn.get(bsn.split(";")[0].strip());
                        if (level != null) {
                            levels.put(b, level);
                        }
                        if (bsn != null) {
                            names.put(b, bsn.split(";")[0].strip());
                            String v = in.getManifest().getMainAttributes().getValue(Constants.BUNDLE_VERSION);
                            versions.put(b, v == null ? "0.0.0" : v);
                        }
                    }
                }
            }
            Map<String, String> run = new HashMap<>();
            for (String k : p.stringPropertyNames()) {
                if (!k.startsWith("launch.") && !k.startsWith("launcher.")) {
                    run.put(k, p.getProperty(k));
                }
            }
            return new Launch(jar, bundles, levels, run, names, versions);
        }

        private static List<String> splitOutsideQuotes(String s) {
            List<String> out = new java.util.ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (char c : s.toCharArray()) {
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == ',' && !quoted) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    continue;
                }
                cur.append(c);
            }
            if (cur.length() > 0) {
                out.add(cur.toString());
            }
            return out;
        }

        public int maxStartLevel() {
            return startLevels.values().stream().mapToInt(Integer::intValue).max().orElse(1) + 1;
        }

        /**
         * Installs every embedded bundle with its start level and marks it to start; a bundle upgraded in place
         * (recorded in the state directory's {@link BundleStore}) is installed from its stored jar instead, and
         * bundles an upgrade added are installed after the embedded ones. A stored jar that is missing, damaged or
         * older than the distribution's own is skipped with a message, and the distribution's revision runs.
         */
        void install(org.osgi.framework.BundleContext ctx, BundleStore store) throws IOException, BundleException {
            ctx.getBundle(0).adapt(FrameworkStartLevel.class).setInitialBundleStartLevel(maxStartLevel());
            Set<String> embeddedNames = new HashSet<>();
            try (JarFile jf = new JarFile(jar.toFile())) {
                for (String b : bundles) {
                    var entry = jf.getEntry(b);
                    if (entry == null) {
                        throw new IOException(jar + " has no entry " + b);
                    }
                    String bsn = symbolicNames.get(b);
                    embeddedNames.add(bsn);
                    BundleStore.Revision upgraded = bsn == null ? null : storedRevision(store, bsn, versions.get(b));
                    Bundle bundle;
                    try (InputStream in = upgraded != null ? store.open(upgraded) : jf.getInputStream(entry)) {
                        bundle = ctx.installBundle("vigil:" + b, in);
                    }
                    Integer level = startLevels.get(b);
                    if (level != null) {
                        bundle.adapt(BundleStartLevel.class).setStartLevel(level);
                    }
                    if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                        bundle.start(Bundle.START_ACTIVATION_POLICY);
                    }
                }
            }
            for (BundleStore.Revision r : store.upgraded()) {
                if (embeddedNames.contains(r.symbolicName())) {
                    continue;
                }
                String problem = store.verify(r);
                if (problem != null) {
                    System.err.println("vigil node: not starting " + r.symbolicName() + " " + r.version()
                        + " (installed by an upgrade): " + problem);
                    continue;
                }
                Bundle bundle;
                try (InputStream in = store.open(r)) {
                    bundle = ctx.installBundle("vigil-upgrade:" + r.symbolicName(), in);
                }
                if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    bundle.start(Bundle.START_ACTIVATION_POLICY);
                }
            }
        }

        /** The stored upgrade of an embedded bundle to install instead of it, or null. */
        private static BundleStore.Revision storedRevision(BundleStore store, String bsn, String embeddedVersion)
            throws IOException {
            BundleStore.Revision r = store.current(bsn).orElse(null);
            if (r == null || r.embedded()) {
                return null;
            }
            String problem = store.verify(r);
            if (problem != null) {
                System.err.println("vigil node: the upgrade of " + bsn + " to " + r.version() + " cannot be used ("
                    + problem + "); starting the distribution's " + bsn + " " + embeddedVersion);
                return null;
            }
            if (org.osgi.framework.Version.parseVersion(r.version())
                .compareTo(org.osgi.framework.Version.parseVersion(embeddedVersion)) < 0) {
                System.err.println("vigil node: the distribution's " + bsn + " " + embeddedVersion
                    + " is newer than the upgrade to " + r.version() + " recorded in " + store.directory()
                    + "; starting the distribution's");
                store.commit(new BundleStore.Revision(bsn, embeddedVersion, BundleStore.DISTRIBUTION, 0, "", null));
                return null;
            }
            return r;
        }
    }
}
