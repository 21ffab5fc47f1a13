package org.vigil.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.commons.cli.CommandLine;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.BundleLedger;
import org.vigil.kernel.api.BundleLedger.Revision;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code vigil upgrade FILE.jar} and {@code vigil upgrade --rollback NAME}: installs, updates or rolls back a
 * plug-in bundle in place, without restarting the node. All or nothing, and durable:
 * <ol>
 * <li>the jar must be an OSGi bundle and must resolve against what is installed (checked by installing it on the
 * side, resolving it and removing it again);</li>
 * <li>it is copied into the node's {@link BundleLedger} store (a full disk stops here, nothing changed);</li>
 * <li>the running bundle is updated (or the new one installed) and started, and every Declarative Services
 * component of the new revision must activate. If anything fails, the previous revision is put back and started
 * (a new bundle is removed), and the message says so;</li>
 * <li>only then is the ledger committed: the node starts this revision from now on, and the one it replaced is
 * kept for {@code --rollback}.</li>
 * </ol>
 * The report's first line gives the swap time and the other bundles restarted; the second what the node saw from
 * the start of the swap until {@value #SETTLE_DOC} after it ({@link UpgradeWatch}): resources started or stopped here,
 * monitors that ran late and by how much, membership and quorum changes, transitions aborted.
 * The kernel (which exports the API every plug-in imports) and the shell (which runs this command) are not
 * upgraded this way. Upgrades are serialized.
 */
@Component(property = {AdminCommand.NAME + "=upgrade",
    AdminCommand.DESCRIPTION + "=install, update or roll back a plug-in bundle in place: upgrade FILE.jar | "
        + "upgrade --rollback NAME"})
public final class UpgradeCommand implements AdminCommand {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.MAIN");
    /** The kernel and the CRM API export what every plug-in imports; the shell runs this command. */
    private static final Set<String> NOT_UPGRADABLE = Set.of("org.vigil.kernel", "org.vigil.crm.api",
        "org.vigil.shell");
    private static final String USAGE = "usage: vigil upgrade FILE.jar | vigil upgrade --rollback SYMBOLIC-NAME";
    /** Location prefix of bundles installed by an upgrade. */
    static final String LOCATION = "vigil-upgrade:";
    private static final Object LOCK = new Object();

    private final BundleContext context;
    private final BundleLedger ledger;
    private volatile ServiceComponentRuntime scr;
    private volatile Cmap cmap;
    private volatile ClusterMembership membership;
    private volatile QuorumService quorum;
    private static final String SETTLE_DOC = "1 s (vigil.upgrade.settle.ms)";
    /** How long the report keeps watching after the swap (monitors that fell due during it run then). */
    static final long SETTLE_MS = Long.getLong("vigil.upgrade.settle.ms", 1000);

    @Activate
    public UpgradeCommand(BundleContext context, @Reference BundleLedger ledger) {
        this.context = context;
        this.ledger = ledger;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindScr(ServiceComponentRuntime s) {
        scr = s;
    }

    void unbindScr(ServiceComponentRuntime s) {
        if (scr == s) {
            scr = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindCmap(Cmap c) {
        cmap = c;
    }

    void unbindCmap(Cmap c) {
        if (cmap == c) {
            cmap = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindMembership(ClusterMembership m) {
        membership = m;
    }

    void unbindMembership(ClusterMembership m) {
        if (membership == m) {
            membership = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindQuorum(QuorumService q) {
        quorum = q;
    }

    void unbindQuorum(QuorumService q) {
        if (quorum == q) {
            quorum = null;
        }
    }

    /** Watches the node from now until {@link UpgradeWatch#summary()}. */
    private UpgradeWatch watchNode() {
        return new UpgradeWatch(cmap, membership, quorum);
    }

    /** The report's second line, after the settle time. */
    private static String settled(UpgradeWatch w) {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return w.summary();
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        ToolOptions o = new ToolOptions("upgrade", "vigil upgrade FILE.jar | vigil upgrade --rollback SYMBOLIC-NAME")
            .longValue("rollback", "SYMBOLIC-NAME", "back to the previous revision of the bundle");
        CommandLine cl;
        try {
            cl = o.parseOrHelp(args, true, out);
        } catch (UsageException e) {
            throw new UsageException(e.getMessage() + "\n" + USAGE, 2);
        }
        if (cl == null) {
            return 0;
        }
        if (cl.hasOption("rollback")) {
            if (!cl.getArgList().isEmpty()) {
                throw new UsageException(USAGE, 2);
            }
            synchronized (LOCK) {
                return rollback(cl.getOptionValue("rollback"), out, err);
            }
        }
        if (cl.getArgList().size() != 1) {
            throw new UsageException(USAGE, 2);
        }
        Path jar;
        try {
            jar = ctx.resolve(cl.getArgList().get(0));
        } catch (java.nio.file.InvalidPathException e) {
            // a NUL character (only a hand-made admin request can hold one): no such file can exist
            err.println("upgrade: " + e.getMessage() + "; nothing was changed");
            return 1;
        }
        if (Files.isDirectory(jar)) {
            err.println("upgrade: " + jar + " is a directory, not a bundle jar; nothing was changed");
            return 1;
        }
        if (!Files.isRegularFile(jar)) {
            err.println("upgrade: " + jar + ": no such file; nothing was changed");
            return 1;
        }
        String bsn;
        Version version;
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            Attributes a = mf == null ? null : mf.getMainAttributes();
            String rawBsn = a == null ? null : a.getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (rawBsn == null) {
                err.println("upgrade: " + jar + " is not an OSGi bundle (no Bundle-SymbolicName in its manifest); "
                    + "nothing was changed");
                return 1;
            }
            bsn = rawBsn.split(";")[0].strip();
            version = Version.parseVersion(a.getValue(Constants.BUNDLE_VERSION));
        } catch (IOException e) {
            err.println("upgrade: " + jar + " is not a readable jar (" + e.getMessage() + "); nothing was changed");
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("upgrade: " + jar + " has an invalid Bundle-Version (" + e.getMessage()
                + "); nothing was changed");
            return 1;
        }
        if (NOT_UPGRADABLE.contains(bsn)) {
            err.println("upgrade: " + bsn + " cannot be upgraded in place (it "
                + (bsn.equals("org.vigil.shell") ? "runs this command" : "exports the API the plug-ins use")
                + "); restart the node with the new distribution instead");
            return 1;
        }
        synchronized (LOCK) {
            Bundle existing = find(bsn);
            if (existing != null && existing.getVersion().equals(version)) {
                err.println("upgrade: " + bsn + " " + version + " is already installed; nothing was changed");
                return 1;
            }
            String problem;
            try {
                problem = checkResolves(jar, bsn);
            } catch (IOException e) {
                err.println("upgrade: " + e.getMessage() + "; nothing was changed");
                return 1;
            }
            if (problem != null) {
                err.println("upgrade: " + bsn + " " + version + " does not resolve on this node; the running bundle "
                    + "is unchanged:\n" + problem);
                return 1;
            }
            Revision staged;
            try {
                staged = ledger.stage(bsn, version.toString(), jar, jar.toString());
            } catch (IOException e) {
                err.println("upgrade: " + e.getMessage() + "; nothing was changed");
                return 1;
            }
            return existing == null ? install(staged, out, err) : update(existing, staged, out, err);
        }
    }

    private Bundle find(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName()) && !b.getLocation().startsWith("vigil-upgrade-check:")) {
                return b;
            }
        }
        return null;
    }

    /** Installs the jar on the side, resolves it, removes it; returns the unsatisfied requirements or null. */
    private String checkResolves(Path jar, String bsn) throws BundleException, IOException {
        FrameworkWiring fw = context.getBundle(0).adapt(FrameworkWiring.class);
        Bundle probe;
        try (InputStream in = Files.newInputStream(jar)) {
            probe = context.installBundle("vigil-upgrade-check:" + bsn + ":" + System.nanoTime(), in);
        } catch (BundleException e) {
            if (e.getType() == BundleException.READ_ERROR || e.getCause() instanceof IOException
                || String.valueOf(e.getMessage()).startsWith("Unable to cache bundle")) {
                // not a resolution problem: the framework could not even store the jar (a full disk, say)
                throw new IOException("cannot install " + bsn + " to check it: " + oneLine(e), e);
            }
            return "  " + e.getMessage();
        }
        try {
            if (fw.resolveBundles(List.of(probe))) {
                return null;
            }
            List<String> missing = new ArrayList<>();
            BundleRevision rev = probe.adapt(BundleRevision.class);
            for (BundleRequirement req : rev.getDeclaredRequirements(null)) {
                if (Namespace.RESOLUTION_OPTIONAL.equals(req.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                    continue;
                }
                Collection<?> providers = fw.findProviders(req);
                providers.removeIf(c -> c instanceof org.osgi.framework.wiring.BundleCapability bc
                    && bc.getRevision().getBundle().equals(probe));
                if (providers.isEmpty() && !req.getNamespace().equals("osgi.wiring.host")) {
                    missing.add("  missing " + req.getNamespace() + " " + req.getDirectives().get("filter"));
                }
            }
            return missing.isEmpty() ? "  (the framework could not resolve it; see the node log)"
                : String.join("\n", missing);
        } finally {
            removeQuietly(probe, bsn);
        }
    }

    private void removeQuietly(Bundle b, String bsn) {
        try {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
            context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b));
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("upgrade: removing {} failed: {}", bsn, e.toString());
        }
    }

    private int install(Revision staged, PrintStream out, PrintStream err) {
        String bsn = staged.symbolicName();
        long t0 = System.nanoTime();
        Set<String> others = new LinkedHashSet<>();
        SynchronousBundleListener listener = watch(bsn, others);
        context.addBundleListener(listener);
        Bundle b = null;
        try {
            try (InputStream in = ledger.open(staged)) {
                b = context.installBundle(LOCATION + bsn, in);
            }
            String failure = startAndCheck(b);
            if (failure != null) {
                removeQuietly(b, bsn);
                ledger.discard(staged);
                err.println("upgrade: installing " + bsn + " " + staged.version() + " failed: " + failure
                    + "; it was removed again, nothing remains installed");
                LOG.warn("upgrade: installing {} {} failed: {}; removed", bsn, staged.version(), failure);
                return 1;
            }
            try {
                ledger.commit(staged);
            } catch (IOException e) {
                removeQuietly(b, bsn);
                ledger.discard(staged);
                err.println("upgrade: " + e.getMessage() + "; " + bsn + " was removed again, nothing remains installed");
                return 1;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            out.printf("installed %s %s (bundle %d) in %d ms; state %s; other bundles restarted: %s%n", bsn,
                staged.version(), b.getBundleId(), ms, Bundles.state(b), others.isEmpty() ? "none"
                    : String.join(", ", others));
            LOG.info("upgrade: installed {} {} in {} ms", bsn, staged.version(), ms);
            return 0;
        } catch (IOException | BundleException | RuntimeException e) {
            if (b != null) {
                removeQuietly(b, bsn);
            }
            ledger.discard(staged);
            err.println("upgrade: installing " + bsn + " failed: " + oneLine(e) + "; nothing remains installed");
            return 1;
        } finally {
            context.removeBundleListener(listener);
        }
    }

    private int update(Bundle b, Revision staged, PrintStream out, PrintStream err) {
        String bsn = b.getSymbolicName();
        Version old = b.getVersion();
        Optional<Revision> oldRevision = ledger.current(bsn).filter(r -> Version.parseVersion(r.version()).equals(old));
        Set<String> others = new LinkedHashSet<>();
        SynchronousBundleListener listener = watch(bsn, others);
        context.addBundleListener(listener);
        UpgradeWatch node = watchNode();
        long t0 = System.nanoTime();
        try {
            String failure = swap(b, staged);
            if (failure == null) {
                try {
                    ledger.commit(staged);
                } catch (IOException e) {
                    failure = e.getMessage();
                }
            }
            if (failure != null) {
                ledger.discard(staged);
                String restored = oldRevision.isPresent() ? swap(b, oldRevision.get()) : "its jar is not in the ledger";
                String msg = "upgrade: updating " + bsn + " " + old + " -> " + staged.version() + " failed: " + failure
                    + "; " + (restored == null ? bsn + " " + b.getVersion() + " was reinstated and is " + Bundles.state(b)
                    : "reinstating " + bsn + " " + old + " ALSO FAILED (" + restored + "); the bundle is "
                        + Bundles.state(b) + " at " + b.getVersion());
                err.println(msg);
                LOG.warn("{}", msg);
                node.close();
                return 1;
            }
        } finally {
            context.removeBundleListener(listener);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.printf("upgraded %s %s -> %s in %d ms; state %s; other bundles restarted: %s%n", bsn, old,
            b.getVersion(), ms, Bundles.state(b), others.isEmpty() ? "none" : String.join(", ", others));
        String report = settled(node);
        out.println(report);
        LOG.info("upgrade: {} {} -> {}:{}", bsn, old, b.getVersion(), report);
        LOG.info("upgrade: {} {} -> {} in {} ms, other bundles restarted: {}", bsn, old, b.getVersion(), ms,
            others.isEmpty() ? "none" : others);
        return 0;
    }

    private int rollback(String bsn, PrintStream out, PrintStream err) {
        Bundle b = find(bsn);
        Optional<Revision> cur = ledger.current(bsn);
        if (b == null || cur.isEmpty()) {
            err.println("upgrade: no bundle " + bsn + " is installed; nothing was changed");
            return 1;
        }
        if (NOT_UPGRADABLE.contains(bsn)) {
            err.println("upgrade: " + bsn + " cannot be rolled back in place; nothing was changed");
            return 1;
        }
        Optional<Revision> prev = ledger.previous(bsn);
        Set<String> others = new LinkedHashSet<>();
        SynchronousBundleListener listener = watch(bsn, others);
        context.addBundleListener(listener);
        UpgradeWatch node = watchNode();
        boolean swapped = false;
        long t0 = System.nanoTime();
        Version from = b.getVersion();
        try {
            if (prev.isEmpty()) {
                if (cur.get().embedded()) {
                    err.println("upgrade: " + bsn + " " + from + " is the distribution's own revision; there is "
                        + "no earlier one to roll back to");
                    return 1;
                }
                // installed by an upgrade, nothing before it: rolling back removes it
                try {
                    ledger.commitRollback(bsn);
                } catch (IOException e) {
                    err.println("upgrade: " + e.getMessage() + "; nothing was changed");
                    return 1;
                }
                removeQuietly(b, bsn);
                out.printf("rolled back %s: removed %s (it did not exist before its upgrade); other bundles "
                    + "restarted: %s%n", bsn, from, others.isEmpty() ? "none" : String.join(", ", others));
                return 0;
            }
            String failure = swap(b, prev.get());
            if (failure == null) {
                try {
                    ledger.commitRollback(bsn);
                } catch (IOException e) {
                    failure = e.getMessage();
                }
            }
            if (failure != null) {
                String restored = swap(b, cur.get());
                err.println("upgrade: rolling back " + bsn + " " + from + " -> " + prev.get().version() + " failed: "
                    + failure + "; " + (restored == null ? bsn + " " + b.getVersion() + " was reinstated and is "
                    + Bundles.state(b) : "reinstating " + from + " ALSO FAILED (" + restored + ")"));
                return 1;
            }
            swapped = true;
        } finally {
            context.removeBundleListener(listener);
            if (!swapped) {
                node.close();
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.printf("rolled back %s %s -> %s (%s) in %d ms; state %s; other bundles restarted: %s%n", bsn, from,
            b.getVersion(), origin(prev.get()), ms, Bundles.state(b), others.isEmpty() ? "none"
                : String.join(", ", others));
        out.println(settled(node));
        LOG.info("upgrade: rolled back {} {} -> {} in {} ms", bsn, from, b.getVersion(), ms);
        return 0;
    }

    static String origin(Revision r) {
        return r.embedded() ? "from vigil.jar" : "upgraded from " + r.source();
    }

    /** Updates {@code b} to {@code r} and starts it; null on success, else why it failed (one line). */
    private String swap(Bundle b, Revision r) {
        try (InputStream in = ledger.open(r)) {
            b.update(in);
        } catch (IOException | BundleException | RuntimeException e) {
            return oneLine(e);
        }
        return startAndCheck(b);
    }

    /**
     * Starts the bundle and waits (a few seconds at most) until every Declarative Services component it declares
     * is active or satisfied-and-waiting; null on success, else the first failure.
     */
    private String startAndCheck(Bundle b) {
        try {
            if (b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        } catch (BundleException | RuntimeException e) {
            return oneLine(e);
        }
        if (b.getState() != Bundle.ACTIVE) {
            return "the bundle is " + Bundles.state(b) + " after start";
        }
        ServiceComponentRuntime runtime = scr;
        if (runtime == null) {
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            String failed = null;
            for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs(b)) {
                for (ComponentConfigurationDTO c : runtime.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        failed = "component " + d.name + " failed to activate: "
                            + (c.failure == null ? "?" : c.failure.lines().findFirst().orElse("?"));
                    }
                }
            }
            if (failed != null) {
                return failed;
            }
            boolean settled = true;
            for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs(b)) {
                if (d.defaultEnabled && runtime.getComponentConfigurationDTOs(d).isEmpty()) {
                    settled = false;
                }
            }
            if (settled || System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static String oneLine(Throwable e) {
        Throwable t = e;
        String m = t.getMessage();
        // a BundleException around a ClassNotFoundException or an I/O error says more through its cause
        Throwable c = t.getCause();
        if (c instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            m = (m == null ? "" : m + ": ") + fse.getReason();
        } else if (c instanceof IOException && c.getMessage() != null) {
            m = (m == null ? "" : m + ": ") + c.getMessage();
        } else if (c != null && c.getMessage() != null) {
            m = (m == null ? "" : m + ": ") + c.getClass().getSimpleName() + ": " + c.getMessage();
        }
        if (m == null) {
            m = t.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m);
    }

    /** Records every other bundle stopped or started while the upgrade runs. */
    /**
     * Collects the other bundles the swap restarted: those stopped during it (a refresh stops and starts a bundle).
     * A bundle that only starts (the node is still starting its later start levels) was not restarted, nor is the
     * framework itself (its STARTED event ends the node's own start).
     */
    private static SynchronousBundleListener watch(String bsn, Set<String> others) {
        return e -> {
            if (e.getType() == BundleEvent.STOPPED && e.getBundle().getBundleId() != 0
                && !bsn.equals(e.getBundle().getSymbolicName())
                && !e.getBundle().getLocation().startsWith("vigil-upgrade-check:")) {
                others.add(e.getBundle().getSymbolicName());
            }
        };
    }
}
