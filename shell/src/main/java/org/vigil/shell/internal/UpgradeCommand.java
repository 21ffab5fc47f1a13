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
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code vigil:upgrade FILE.jar}: installs or updates a plug-in bundle in place, without restarting the node.
 *
 * <p>Before touching the running bundle the new jar is checked: it must be an OSGi bundle, and it must
 * resolve against what is installed (checked by installing it on the side, resolving it and removing it
 * again). Only then is the running bundle updated. The report gives old → new version, the time the swap took
 * and whether any other bundle was stopped or started by it. The kernel (which exports the API every plug-in
 * imports) and the shell (which runs this command) are not upgraded this way.
 */
@Component(property = {AdminCommand.NAME + "=upgrade",
    AdminCommand.DESCRIPTION + "=install or update a plug-in bundle in place: upgrade FILE.jar"})
public final class UpgradeCommand implements AdminCommand {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.MAIN");
    private static final Set<String> NOT_UPGRADABLE = Set.of("org.vigil.kernel", "org.vigil.shell");

    private final BundleContext context;

    @Activate
    public UpgradeCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.size() != 1) {
            throw new UsageException("usage: vigil upgrade FILE.jar", 2);
        }
        Path jar = Path.of(args.get(0)).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            err.println("upgrade: " + jar + ": no such file");
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
                + (bsn.endsWith("kernel") ? "exports the API every plug-in uses" : "runs this command")
                + "); restart the node with the new distribution instead");
            return 1;
        }
        Bundle existing = find(bsn);
        if (existing != null && existing.getVersion().equals(version)) {
            err.println("upgrade: " + bsn + " " + version + " is already installed; nothing was changed");
            return 1;
        }
        String problem = checkResolves(jar, bsn);
        if (problem != null) {
            err.println("upgrade: " + bsn + " " + version + " does not resolve on this node; the running bundle is "
                + "unchanged:\n" + problem);
            return 1;
        }
        return existing == null ? install(jar, bsn, version, out, err) : update(existing, jar, version, out, err);
    }

    private Bundle find(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
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
            try {
                probe.uninstall();
                fw.refreshBundles(List.of(probe));
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("upgrade: removing the resolution probe of {} failed: {}", bsn, e.toString());
            }
        }
    }

    private int install(Path jar, String bsn, Version version, PrintStream out, PrintStream err) throws IOException {
        long t0 = System.nanoTime();
        Set<String> others = new LinkedHashSet<>();
        SynchronousBundleListener listener = watch(bsn, others);
        context.addBundleListener(listener);
        try (InputStream in = Files.newInputStream(jar)) {
            Bundle b = context.installBundle(jar.toUri().toString(), in);
            b.start();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            out.printf("installed %s %s (bundle %d) in %d ms; state %s; other bundles restarted: %s%n", bsn, version,
                b.getBundleId(), ms, Bundles.state(b), others.isEmpty() ? "none" : String.join(", ", others));
            LOG.info("upgrade: installed {} {} in {} ms", bsn, version, ms);
            return b.getState() == Bundle.ACTIVE ? 0 : 1;
        } catch (BundleException e) {
            err.println("upgrade: installing " + bsn + " failed: " + e.getMessage());
            return 1;
        } finally {
            context.removeBundleListener(listener);
        }
    }

    private int update(Bundle b, Path jar, Version version, PrintStream out, PrintStream err) throws IOException {
        Version old = b.getVersion();
        String bsn = b.getSymbolicName();
        Set<String> others = new LinkedHashSet<>();
        SynchronousBundleListener listener = watch(bsn, others);
        context.addBundleListener(listener);
        long t0 = System.nanoTime();
        try (InputStream in = Files.newInputStream(jar)) {
            b.update(in);
            if (b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        } catch (BundleException e) {
            err.println("upgrade: updating " + bsn + " failed: " + e.getMessage());
            return 1;
        } finally {
            context.removeBundleListener(listener);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.printf("upgraded %s %s -> %s in %d ms; state %s; other bundles restarted: %s%n", bsn, old,
            b.getVersion(), ms, Bundles.state(b), others.isEmpty() ? "none" : String.join(", ", others));
        LOG.info("upgrade: {} {} -> {} in {} ms, other bundles restarted: {}", bsn, old, b.getVersion(), ms,
            others.isEmpty() ? "none" : others);
        return b.getState() == Bundle.ACTIVE ? 0 : 1;
    }

    /** Records every other bundle stopped or started while the upgrade runs. */
    private static SynchronousBundleListener watch(String bsn, Set<String> others) {
        return e -> {
            if ((e.getType() == BundleEvent.STOPPED || e.getType() == BundleEvent.STARTED)
                && !bsn.equals(e.getBundle().getSymbolicName())
                && !e.getBundle().getLocation().startsWith("vigil-upgrade-check:")) {
                others.add(e.getBundle().getSymbolicName());
            }
        };
    }
}
