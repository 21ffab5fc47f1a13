package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.vigil.itest.support.BundleJars;
import org.vigil.itest.support.Distribution;
import org.vigil.itest.support.UpgradeMarker;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * Boots the real exported distribution in Felix and upgrades a plug-in bundle that provides a service to the
 * kernel through a dynamic greedy reference: the udpu {@code Transport}, bound by the kernel's TransportRegistry,
 * using the {@code upgrade} admin command an administrator would use. The upgrade goes to a new build whose code
 * differs ({@link BundleJars#newBuild}: it writes a token to cmap when it starts), asserted after the swap.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT {

    private static final String UDPU = "org.vigil.transport.udpu";
    private static final String REGISTRY = "org.vigil.kernel.internal.transport.TransportRegistry";

    @Inject
    private BundleContext context;

    @Inject
    private Cmap cmap;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() throws Exception {
        List<Option> opts = new ArrayList<>(Distribution.bundles());
        Distribution.nodeProperties(opts, "hotswap");
        opts.add(junitBundles());
        return options(opts.toArray(new Option[0]));
    }

    private String upgrade(String jar, int expectedStatus) throws Exception {
        Collection<ServiceReference<AdminCommand>> refs =
            context.getServiceReferences(AdminCommand.class, "(" + AdminCommand.NAME + "=upgrade)");
        AdminCommand cmd = context.getService(refs.iterator().next());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = cmd.execute(List.of(jar), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals("upgrade " + jar + ": " + text, expectedStatus, status);
        return text;
    }

    /** The udpu transport bundle as exported in the distribution. */
    private static Path udpuJar() throws Exception {
        try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("transport-udpu-")).findFirst()
                .orElseThrow();
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private ComponentConfigurationDTO registryConfiguration() {
        Bundle kernel = bundle("org.vigil.kernel");
        ComponentDescriptionDTO d = scr.getComponentDescriptionDTO(kernel, REGISTRY);
        Collection<ComponentConfigurationDTO> c = scr.getComponentConfigurationDTOs(d);
        assertEquals(1, c.size());
        return c.iterator().next();
    }

    private String ring0(String key) {
        return cmap.get("runtime.transport.ring0." + key).map(CmapEntry::valueString).orElse("");
    }

    @Test
    public void everyDistributionBundleIsActive() {
        for (Bundle b : context.getBundles()) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
            }
        }
        assertTrue(bundle("org.vigil.kernel") != null && bundle("org.vigil.shell") != null);
    }

    @Test
    public void transportUpgradeRebindsWithoutRestartingTheKernel() throws Exception {
        Path dir = Files.createTempDirectory("vigil-hotswap");
        Bundle udpu = bundle(UDPU);
        String v1 = udpu.getVersion().toString();
        assertEquals("the kernel uses the distribution's udpu transport", v1, ring0("bundle_version"));
        assertEquals(UDPU, ring0("bundle"));
        assertEquals("open", ring0("status"));
        String serviceV1 = ring0("service_id");
        String v2 = v1 + "v2";

        Bundle kernel = bundle("org.vigil.kernel");
        long kernelModified = kernel.getLastModified();
        String activations = cmap.get("runtime.transport.registry_activations").orElseThrow().valueString();
        List<String> events = new CopyOnWriteArrayList<>();
        SynchronousBundleListener listener = e -> {
            if (e.getBundle().equals(kernel) && (e.getType() == BundleEvent.STOPPING
                || e.getType() == BundleEvent.STOPPED || e.getType() == BundleEvent.UPDATED)) {
                events.add("kernel " + e.getType());
            }
        };
        String marker = UpgradeMarker.key(UDPU);
        assertEquals("the release has no build marker code", "", cmap.get(marker).map(CmapEntry::valueString)
            .orElse(""));
        String token = "udpu-v2-" + System.nanoTime();
        context.addBundleListener(listener);
        String report = upgrade(BundleJars.newBuild(udpuJar(), v2, token, dir.resolve("udpu-v2.jar")).toString(), 0);
        context.removeBundleListener(listener);

        assertTrue(report, report.contains("upgraded " + UDPU + " " + v1 + " -> " + v2));
        assertTrue(report, report.contains("other bundles restarted: none"));
        assertEquals("the kernel bundle was never stopped", List.of(), events);
        assertEquals(Bundle.ACTIVE, kernel.getState());
        assertEquals(kernelModified, kernel.getLastModified());
        assertEquals("the kernel's consumer component was not deactivated", activations,
            cmap.get("runtime.transport.registry_activations").orElseThrow().valueString());
        assertEquals(ComponentConfigurationDTO.ACTIVE, registryConfiguration().state);
        assertEquals("the kernel now uses the new service", v2, ring0("bundle_version"));
        assertNotEquals(serviceV1, ring0("service_id"));
        assertEquals("open", ring0("status"));
        assertEquals("the new build's code runs", token, cmap.get(marker).map(CmapEntry::valueString).orElse(""));

        // Bad upgrades are refused and leave v2 running.
        Path notABundle = dir.resolve("plain.jar");
        BundleJars.bundle(notABundle, new String[0], new String[0]);
        assertTrue(upgrade(notABundle.toString(), 1).contains("is not an OSGi bundle"));
        Path unresolvable = BundleJars.withHeaders(udpuJar(), dir.resolve("udpu-v3.jar"), "Bundle-Version",
            v1 + "v3", "Import-Package", bundle(UDPU).getHeaders().get("Import-Package")
                + ",org.example.missing;version=\"[1,2)\"");
        String refusal = upgrade(unresolvable.toString(), 1);
        assertTrue(refusal, refusal.contains("does not resolve") && refusal.contains("org.example.missing"));
        assertEquals(v2, bundle(UDPU).getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle(UDPU).getState());
        assertEquals(v2, ring0("bundle_version"));
        assertEquals("open", ring0("status"));
        assertEquals(activations, cmap.get("runtime.transport.registry_activations").orElseThrow().valueString());
        assertEquals("the new build still runs", token, cmap.get(marker).map(CmapEntry::valueString).orElse(""));
        assertEquals("no probe bundle left behind", 1,
            java.util.Arrays.stream(context.getBundles()).filter(b -> UDPU.equals(b.getSymbolicName())).count());
    }
}
