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
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * Boots the real exported distribution in Felix and upgrades a plug-in bundle that provides a service to the
 * kernel through a dynamic greedy reference ({@code Transport}, bound by the kernel's TransportRegistry), using
 * the {@code upgrade} admin command an administrator would use.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT {

    private static final String PLUGIN = "org.vigil.itest.transport";
    private static final String REGISTRY = "org.vigil.kernel.internal.transport.TransportRegistry";
    private static final String DS_XML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="org.vigil.itest.plugin.DatagramTransport" immediate="true">
          <implementation class="org.vigil.itest.plugin.DatagramTransport"/>
          <service><provide interface="org.vigil.kernel.spi.Transport"/></service>
          <property name="vigil.transport" value="udpu"/>
        </scr:component>
        """;

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

    private Path plugin(Path dir, String version, String extraImport) throws Exception {
        return BundleJars.bundle(dir.resolve(PLUGIN + "-" + version + ".jar"),
            new String[] {"org.vigil.itest.plugin.DatagramTransport",
                "org.vigil.itest.plugin.DatagramTransport$1"},
            new String[] {"Bundle-SymbolicName", PLUGIN, "Bundle-Version", version,
                "Import-Package", "org.vigil.kernel.spi;version=\"[1.0,2)\"" + extraImport,
                "Service-Component", "OSGI-INF/transport.xml"},
            "OSGI-INF/transport.xml", DS_XML);
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
    public void pluginUpgradeRebindsWithoutRestartingTheKernel() throws Exception {
        Path dir = Files.createTempDirectory("vigil-hotswap");
        upgrade(plugin(dir, "1.0.0", "").toString(), 0);
        assertEquals("1.0.0", ring0("bundle_version"));
        assertEquals(PLUGIN, ring0("bundle"));
        String serviceV1 = ring0("service_id");

        Bundle kernel = bundle("org.vigil.kernel");
        long kernelModified = kernel.getLastModified();
        ComponentConfigurationDTO before = registryConfiguration();
        String activations = cmap.get("runtime.transport.registry_activations").orElseThrow().valueString();
        List<String> events = new CopyOnWriteArrayList<>();
        SynchronousBundleListener listener = e -> {
            if (e.getBundle().equals(kernel) && (e.getType() == BundleEvent.STOPPING
                || e.getType() == BundleEvent.STOPPED || e.getType() == BundleEvent.UPDATED)) {
                events.add("kernel " + e.getType());
            }
        };
        context.addBundleListener(listener);
        String report = upgrade(plugin(dir, "2.0.0", "").toString(), 0);
        context.removeBundleListener(listener);

        assertTrue(report, report.contains("upgraded " + PLUGIN + " 1.0.0 -> 2.0.0"));
        assertTrue(report, report.contains("other bundles restarted: none"));
        assertEquals("the kernel bundle was never stopped", List.of(), events);
        assertEquals(Bundle.ACTIVE, kernel.getState());
        assertEquals(kernelModified, kernel.getLastModified());
        ComponentConfigurationDTO after = registryConfiguration();
        assertEquals("the kernel's consumer component was not deactivated", activations,
            cmap.get("runtime.transport.registry_activations").orElseThrow().valueString());
        assertEquals(ComponentConfigurationDTO.ACTIVE, after.state);
        assertEquals("the kernel now uses the new service", "2.0.0", ring0("bundle_version"));
        assertNotEquals(serviceV1, ring0("service_id"));
        assertEquals("open", ring0("status"));

        // Bad upgrades are refused and leave 2.0.0 running.
        Path notABundle = dir.resolve("plain.jar");
        BundleJars.bundle(notABundle, new String[0], new String[0]);
        assertTrue(upgrade(notABundle.toString(), 1).contains("is not an OSGi bundle"));
        Path unresolvable = plugin(dir, "3.0.0", ",org.example.missing;version=\"[1,2)\"");
        String refusal = upgrade(unresolvable.toString(), 1);
        assertTrue(refusal, refusal.contains("does not resolve") && refusal.contains("org.example.missing"));
        assertEquals("2.0.0", bundle(PLUGIN).getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle(PLUGIN).getState());
        assertEquals("2.0.0", ring0("bundle_version"));
        assertEquals("open", ring0("status"));
        assertEquals(activations, cmap.get("runtime.transport.registry_activations").orElseThrow().valueString());
        assertEquals("no probe bundle left behind", 1,
            java.util.Arrays.stream(context.getBundles()).filter(b -> PLUGIN.equals(b.getSymbolicName())).count());
    }
}
