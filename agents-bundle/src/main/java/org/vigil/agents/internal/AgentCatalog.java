package org.vigil.agents.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.exec.ProcessOutcome;
import org.vigil.agents.internal.exec.ProcessSpec;
import org.vigil.agents.internal.exec.Ending;
import org.vigil.agents.internal.fence.ExternalFenceAgent;
import org.vigil.agents.internal.lsb.LsbAgent;
import org.vigil.agents.internal.ocf.OcfAgent;
import org.vigil.agents.internal.systemd.ServiceAlias;
import org.vigil.agents.internal.systemd.SystemdAgent;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * Finds the agents installed on this node and registers one service per agent: a {@link ResourceAgent} for
 * every executable {@code <OCF_ROOT>/resource.d/<provider>/<type>}, LSB script in {@code /etc/init.d} and
 * systemd service unit (when systemd runs), {@code service:<name>} for each of those, and a {@link FenceAgent}
 * for every {@code fence_*} program. It scans at activation, again whenever one of those directories changes
 * (inotify through a {@link WatchService}, debounced), and every 30 s in case a watched root appears.
 *
 * <p>On deactivation (bundle stop or upgrade) it unregisters its services and closes the runner, which lets
 * actions in flight finish and report; it kills nothing.
 */
@Component(service = {}, immediate = true)
public final class AgentCatalog {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.AGENTS");
    private static final long FULL_RESCAN_MS = 30_000;

    private final BundleContext context;
    private final AgentSettings settings;
    private final AgentRunner runner;
    private final Map<String, ServiceRegistration<?>> registered = new HashMap<>();   // guarded by this
    private final Set<Path> warned = new HashSet<>();                                  // guarded by this
    private final Map<Path, WatchKey> watched = new HashMap<>();                       // guarded by this
    private WatchService watcher;
    private Thread watchThread;
    private volatile boolean active;

    @Activate
    public AgentCatalog(BundleContext context) {
        this.context = context;
        Preload.all(context.getBundle());
        this.settings = AgentSettings.from(context::getProperty);
        this.runner = new AgentRunner(settings.python(), settings.runner());
    }

    @Activate
    void activate() {
        active = true;
        if (!runner.available()) {
            LOG.error("OCF, LSB, systemd and fence agents cannot be run on this node: {}", runner.unavailableReason());
        } else {
            LOG.debug("external agents run through the {} runner helper", runner.helper());
        }
        try {
            watcher = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            LOG.warn("cannot watch agent directories ({}); rescanning every {} s instead", e.getMessage(),
                FULL_RESCAN_MS / 1000);
        }
        rescan();
        watchThread = new Thread(this::watchLoop, "vigil-agents-watch");
        watchThread.setDaemon(true);
        watchThread.start();
    }

    @Deactivate
    void deactivate() {
        active = false;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (watchThread != null) {
            watchThread.interrupt();
        }
        synchronized (this) {
            for (ServiceRegistration<?> r : registered.values()) {
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    // gone with the bundle already
                }
            }
            registered.clear();
        }
        runner.close();
    }

    /** The runner every external agent of this revision uses. */
    AgentRunner runner() {
        return runner;
    }

    /** Scans all agent directories and brings the registrations in line. */
    synchronized void rescan() {
        if (!active) {
            return;
        }
        Map<String, Supplier<Object>> found = new TreeMap<>();
        Map<String, Hashtable<String, Object>> props = new HashMap<>();
        // OCF
        Path rd = settings.resourceDir();
        watch(settings.ocfRoot());
        watch(rd);
        for (Path providerDir : list(rd)) {
            if (!Files.isDirectory(providerDir)) {
                continue;
            }
            watch(providerDir);
            String provider = providerDir.getFileName().toString();
            for (Path f : list(providerDir)) {
                if (executable(f)) {
                    String type = f.getFileName().toString();
                    resource(found, props, "ocf", provider, type, () -> new OcfAgent(provider, type, settings, runner));
                }
            }
        }
        // LSB and service:
        watch(settings.lsbDir());
        boolean systemd = SystemdAgent.systemdRunning();
        for (Path f : list(settings.lsbDir())) {
            if (executable(f)) {
                String name = f.getFileName().toString();
                resource(found, props, "lsb", null, name, () -> new LsbAgent(name, settings, runner));
                if (!systemd) {
                    resource(found, props, "service", null, name,
                        () -> new ServiceAlias(new LsbAgent(name, settings, runner)));
                }
            }
        }
        if (systemd) {
            for (String unit : systemdUnits()) {
                resource(found, props, "systemd", null, unit, () -> new SystemdAgent(unit, settings, runner));
                resource(found, props, "service", null, unit,
                    () -> new ServiceAlias(new SystemdAgent(unit, settings, runner)));
            }
        }
        // fence_*
        watch(settings.fenceDir());
        for (Path f : list(settings.fenceDir())) {
            String name = f.getFileName().toString();
            if (name.startsWith("fence_") && executable(f)) {
                String key = "stonith:" + name;
                found.put(key, () -> new ExternalFenceAgent(name, settings, runner));
                Hashtable<String, Object> p = new Hashtable<>();
                p.put(FenceAgent.AGENT, name);
                props.put(key, p);
            }
        }
        int added = 0;
        int removed = 0;
        for (String key : new ArrayList<>(registered.keySet())) {
            if (!found.containsKey(key)) {
                try {
                    registered.remove(key).unregister();
                } catch (IllegalStateException e) {
                    // already gone
                }
                removed++;
            }
        }
        for (Map.Entry<String, Supplier<Object>> e : found.entrySet()) {
            if (!registered.containsKey(e.getKey())) {
                Object agent = e.getValue().get();
                String iface = agent instanceof FenceAgent ? FenceAgent.class.getName() : ResourceAgent.class.getName();
                registered.put(e.getKey(), context.registerService(iface, agent, props.get(e.getKey())));
                added++;
            }
        }
        if (added > 0 || removed > 0) {
            LOG.info("agents: {} registered, {} removed; {} available (OCF root {}, LSB {}, fence agents in {})",
                added, removed, registered.size(), settings.ocfRoot(), settings.lsbDir(), settings.fenceDir());
        }
    }

    private static void resource(Map<String, Supplier<Object>> found, Map<String, Hashtable<String, Object>> props,
                                 String standard, String provider, String type, Supplier<Object> make) {
        String spec = provider == null ? standard + ":" + type : standard + ":" + provider + ":" + type;
        found.put(spec, make);
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ResourceAgent.AGENT, spec);
        p.put(ResourceAgent.STANDARD, standard);
        if (provider != null) {
            p.put(ResourceAgent.PROVIDER, provider);
        }
        p.put(ResourceAgent.TYPE, type);
        props.put(spec, p);
    }

    private boolean executable(Path f) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || name.endsWith("~") || !Files.isRegularFile(f)) {
            return false;
        }
        if (!Files.isExecutable(f)) {
            if (warned.add(f)) {
                LOG.warn("agents: ignoring {}: it is not executable (chmod +x it to use it as an agent)", f);
            }
            return false;
        }
        return true;
    }

    private static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            LOG.warn("agents: cannot list {}: {}", dir, e.getMessage());
        }
        out.sort(null);
        return out;
    }

    private List<String> systemdUnits() {
        List<String> units = new ArrayList<>();
        ProcessOutcome o = runner.run(new ProcessSpec(List.of(settings.systemctl().toString(), "list-unit-files",
            "--type=service", "--no-legend", "--no-pager", "--plain"), org.vigil.agents.internal.exec.Outcomes.baseEnvironment(),
            null, null, Duration.ofSeconds(20), settings.killGrace(), 4 * 1024 * 1024)).outcome().join();
        if (o.ending() != Ending.EXITED || o.code() != 0) {
            LOG.warn("agents: listing systemd units failed: {} {}", o.ending(), o.stderrText().strip());
            return units;
        }
        for (String line : o.stdoutText().split("\n")) {
            String unit = line.strip().split("\\s+")[0];
            if (unit.endsWith(".service") && !unit.contains("@")) {
                units.add(unit.substring(0, unit.length() - ".service".length()));
            }
        }
        return units;
    }

    private void watch(Path dir) {
        if (watcher == null || watched.containsKey(dir) || !Files.isDirectory(dir)) {
            return;
        }
        try {
            watched.put(dir, dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
        } catch (IOException | ClosedWatchServiceException e) {
            LOG.debug("agents: cannot watch {}: {}", dir, e.toString());
        }
    }

    private void watchLoop() {
        long delay = Math.max(10, settings.rescanDelay().toMillis());
        while (active) {
            try {
                WatchKey key = watcher == null ? null : watcher.poll(FULL_RESCAN_MS, TimeUnit.MILLISECONDS);
                if (watcher == null) {
                    Thread.sleep(FULL_RESCAN_MS);
                }
                if (key != null) {
                    // Debounce: a package install touches many files; wait until it is quiet.
                    do {
                        key.pollEvents();
                        if (!key.reset()) {
                            synchronized (this) {
                                watched.values().remove(key);
                            }
                        }
                        key = watcher.poll(delay, TimeUnit.MILLISECONDS);
                    } while (key != null);
                }
                rescan();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("agents: rescanning failed: {}", e.toString());
            }
        }
    }
}
