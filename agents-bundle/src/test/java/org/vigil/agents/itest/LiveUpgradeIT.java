package org.vigil.agents.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;
import org.vigil.shell.internal.UpgradeCommand;

/**
 * Live upgrade of the agents bundle in a real Felix with SCR: while a long {@code start} of an OCF agent (and a
 * delayed {@code start} of {@code vigil:Dummy}) is in flight and two loops call actions through the service
 * registry, the bundle is updated to a "v2" jar and then
 * refreshed, by the shell's {@code UpgradeCommand} (the {@code vigil upgrade} admin command) running on this
 * framework. Checked: the in-flight actions complete and their results are delivered; every call got exactly one
 * result; every agent invocation happened exactly once (each appends one line to a log); no agent process was
 * killed (the long start's script ran to its last line); the services afterwards come from the new revision.
 *
 * <p>Self-contained: the framework exports the kernel SPI from the class path (system packages extra), so the
 * test talks to the services with its own types; it can move to {@code itest/} (Pax Exam) unchanged in substance.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveUpgradeIT {

    @TempDir
    Path tmp;
    Framework framework;

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(20_000);
        }
    }

    @Test
    void upgradingTheAgentsBundleLosesNoActionRunsNoneTwiceAndKillsNoAgent() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) || Files.isExecutable(Path.of("/bin/python3")),
            "python3 is needed to run external agents");
        Path jar = Path.of(System.getProperty("vigil.agents.jar", "target/agents-bundle-0.1.0-SNAPSHOT.jar"));
        assertTrue(Files.isRegularFile(jar), "the built agents bundle " + jar + " is missing");
        Path v2 = withVersion(jar, tmp.resolve("agents-v2.jar"), "0.1.0.v2-upgrade-test");
        Path log = tmp.resolve("calls.log");
        writeSlowAgent(tmp.resolve("ocf/resource.d/vigiltest/Slow"));

        Bundle agents = boot(jar);
        BundleContext ctx = framework.getBundleContext();

        ServiceTracker<ResourceAgent, ResourceAgent> slow = tracker(ctx, "ocf:vigiltest:Slow");
        ServiceTracker<ResourceAgent, ResourceAgent> dummy = tracker(ctx, "vigil:Dummy");
        ResourceAgent slowV1 = slow.waitForService(20_000);
        assertNotNull(slowV1, "ocf:vigiltest:Slow was not registered");
        assertNotNull(dummy.waitForService(20_000), "vigil:Dummy was not registered");
        String v1 = agents.getVersion().toString();

        // In flight across the swap: a 4 s OCF start and a 3 s vigil:Dummy start.
        CompletableFuture<AgentResult> longStart = slowV1.execute(AgentRequest.of("long", "start",
            Map.of("log", log.toString(), "delay", "4"), Duration.ofSeconds(60))).toCompletableFuture();
        CompletableFuture<AgentResult> longDummy = dummy.getService().execute(AgentRequest.of("long-dummy", "start",
            Map.of("log", log.toString(), "start_delay", "3", "state", tmp.resolve("long-dummy.state").toString()),
            Duration.ofSeconds(60))).toCompletableFuture();

        // Two loops calling actions through the registry the whole time.
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, AgentResult> results = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger afterSwap = new AtomicInteger();
        AtomicInteger ocfAfterSwap = new AtomicInteger();
        AtomicInteger staleCalls = new AtomicInteger();
        AtomicBoolean swapping = new AtomicBoolean();
        AtomicBoolean swapped = new AtomicBoolean();
        CountDownLatch loopsDone = new CountDownLatch(2);
        for (String which : List.of("ocf", "dummy")) {
            Thread t = new Thread(() -> {
                try {
                    int n = 0;
                    while (running.get()) {
                        String id = which + "-" + (n++);
                        ServiceTracker<ResourceAgent, ResourceAgent> tr = which.equals("ocf") ? slow : dummy;
                        ResourceAgent a = tr.waitForService(20_000);
                        if (a == null) {
                            problems.add(id + ": no " + which + " service for 20 s");
                            return;
                        }
                        Map<String, String> params = which.equals("ocf") ? Map.of("log", log.toString(), "delay", "0")
                            : Map.of("log", log.toString(), "state", tmp.resolve(id + ".state").toString());
                        if (swapping.get() && a == slowV1) {
                            staleCalls.incrementAndGet();   // a call on the old revision's service object
                        }
                        CompletableFuture<AgentResult> f = a.execute(AgentRequest.of(id, "start", params,
                            Duration.ofSeconds(30))).toCompletableFuture();
                        f.whenComplete((r, e) -> {
                            deliveries.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                            if (r != null) {
                                results.put(id, r);
                            }
                        });
                        AgentResult r = f.get(30, TimeUnit.SECONDS);
                        if (!r.ok()) {
                            problems.add(id + ": " + r);
                        }
                        if (swapped.get()) {
                            afterSwap.incrementAndGet();
                            if (which.equals("ocf")) {
                                ocfAfterSwap.incrementAndGet();
                            }
                        }
                        if (which.equals("dummy")) {
                            Thread.sleep(1);   // keep the in-process loop from flooding the log
                        }
                    }
                } catch (Exception e) {
                    problems.add(which + " loop: " + e);
                } finally {
                    loopsDone.countDown();
                }
            }, "upgrade-test-" + which);
            t.start();
        }

        Thread.sleep(1000);
        assertTrue(!longStart.isDone() && !longDummy.isDone(), "the long starts should still be in flight");
        long t0 = System.nanoTime();
        swapping.set(true);
        // The shell's own 'vigil upgrade' command, on this framework: checks the jar resolves, then updates.
        ByteArrayOutputStream upOut = new ByteArrayOutputStream();
        ByteArrayOutputStream upErr = new ByteArrayOutputStream();
        int upStatus = new UpgradeCommand(ctx).execute(List.of(v2.toString()),
            new PrintStream(upOut, true, StandardCharsets.UTF_8), new PrintStream(upErr, true, StandardCharsets.UTF_8));
        assertEquals(0, upStatus, "vigil upgrade failed: " + upErr.toString(StandardCharsets.UTF_8));
        String report = upOut.toString(StandardCharsets.UTF_8).strip();
        assertTrue(report.startsWith("upgraded org.vigil.agents " + v1 + " -> 0.1.0.v2-upgrade-test")
            && report.endsWith("other bundles restarted: none"), report);
        refresh(ctx, agents);              // and release the old revision's class loader and jar
        long swapMs = (System.nanoTime() - t0) / 1_000_000;
        swapped.set(true);
        assertEquals("0.1.0.v2-upgrade-test", agents.getVersion().toString());
        assertNotEquals(v1, agents.getVersion().toString());
        assertTrue(!longStart.isDone(), "the long OCF start finished before the swap; the test proves nothing");

        AgentResult lr = longStart.get(30, TimeUnit.SECONDS);
        AgentResult ld = longDummy.get(30, TimeUnit.SECONDS);
        Thread.sleep(1500);
        running.set(false);
        assertTrue(loopsDone.await(60, TimeUnit.SECONDS), "the call loops did not finish");

        assertTrue(lr.ok(), "in-flight OCF start: " + lr);
        assertTrue(ld.ok(), "in-flight vigil:Dummy start: " + ld);
        assertTrue(problems.isEmpty(), problems.toString());
        assertTrue(ocfAfterSwap.get() > 0, "no OCF call ran after the swap");

        // Exactly once: each call delivered once; each invocation logged once; nothing logged that was not called.
        Map<String, Integer> invocations = new TreeMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] w = line.split(" ");
            if (w[1].equals("start") || w[1].equals("start-end")) {
                invocations.merge(w[0] + (w[1].equals("start-end") ? "#end" : ""), 1, Integer::sum);
            }
        }
        for (Map.Entry<String, AtomicInteger> e : deliveries.entrySet()) {
            assertEquals(1, e.getValue().get(), e.getKey() + " was delivered " + e.getValue() + " times");
            assertEquals(1, invocations.getOrDefault(e.getKey(), 0), e.getKey() + " ran "
                + invocations.getOrDefault(e.getKey(), 0) + " times");
        }
        assertEquals(1, invocations.getOrDefault("long", 0));
        assertEquals(1, invocations.getOrDefault("long#end", 0), "the long start's script did not run to its end");
        assertEquals(1, invocations.getOrDefault("long-dummy", 0));
        int calls = deliveries.size() + 2;
        int logged = 0;
        for (Map.Entry<String, Integer> e : invocations.entrySet()) {
            if (!e.getKey().endsWith("#end")) {
                logged += e.getValue();
            }
        }
        assertEquals(calls, logged, "invocations logged vs calls made");

        ServiceReference<ResourceAgent> now = slow.getServiceReference();
        assertEquals(agents.getVersion(), now.getBundle().getVersion(), "the service is not from the new revision");
        System.out.println(report);
        System.out.printf("live upgrade %s -> %s in %d ms; %d calls (%d after the swap, %d of them OCF; %d made on "
            + "the old revision's service object during the swap), in-flight OCF start %d ms and vigil:Dummy start "
            + "%d ms delivered; every call delivered once and run once%n", v1, agents.getVersion(), swapMs, calls,
            afterSwap.get(), ocfAfterSwap.get(), staleCalls.get(), lr.elapsed().toMillis(), ld.elapsed().toMillis());
        slow.close();
        dummy.close();
    }

    /** Starts Felix with SCR and the agents bundle, agents directories under the temp dir. */
    private Bundle boot(Path jar) throws Exception {
        Map<String, String> cfg = new HashMap<>();
        cfg.put(Constants.FRAMEWORK_STORAGE, tmp.resolve("felix-cache").toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.vigil.kernel.spi;version=1.1.0,org.slf4j;version=2.0.17");
        cfg.put("vigil.agents.ocf.root", tmp.resolve("ocf").toString());
        cfg.put("vigil.agents.lsb.dir", tmp.resolve("init.d").toString());
        cfg.put("vigil.agents.fence.dir", tmp.resolve("sbin").toString());
        cfg.put("vigil.agents.state.dir", tmp.resolve("state").toString());
        cfg.put("vigil.agents.rsctmp", tmp.resolve("rsctmp").toString());
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(cfg);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> infra = new ArrayList<>();
        for (String cls : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
            "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.info.ScrInfo")) {
            infra.add(ctx.installBundle(jarOf(cls).toUri().toString()));
        }
        Bundle agents = ctx.installBundle(jar.toUri().toString());
        for (Bundle b : infra) {
            b.start();
        }
        agents.start();

        return agents;
    }

    @Test
    void agentsAppearAndDisappearWithTheirFiles() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) || Files.isExecutable(Path.of("/bin/python3")),
            "python3 is needed to run external agents");
        Path jar = Path.of(System.getProperty("vigil.agents.jar", "target/agents-bundle-0.1.0-SNAPSHOT.jar"));
        Path providerDir = tmp.resolve("ocf/resource.d/mirantis");
        writeSlowAgent(providerDir.resolve("ns_haproxy"));
        boot(jar);
        BundleContext ctx = framework.getBundleContext();
        ServiceTracker<ResourceAgent, ResourceAgent> haproxy = tracker(ctx, "ocf:mirantis:ns_haproxy");
        assertNotNull(haproxy.waitForService(20_000), "an agent present at start was not registered");
        assertNotNull(tracker(ctx, "vigil:Dummy").waitForService(20_000));

        // A new provider directory and agent appear while the node runs (a package being installed).
        writeSlowAgent(tmp.resolve("ocf/resource.d/eayun/Fresh"));
        ServiceTracker<ResourceAgent, ResourceAgent> fresh = tracker(ctx, "ocf:eayun:Fresh");
        ResourceAgent f = fresh.waitForService(20_000);
        assertNotNull(f, "a new agent was not discovered");
        AgentResult r = f.execute(AgentRequest.of("fresh", "start", Map.of("log", tmp.resolve("f.log").toString()),
            Duration.ofSeconds(20))).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.toString());

        // A file that is not executable is not an agent.
        Path notExec = providerDir.resolve("half_written");
        Files.writeString(notExec, "#!/bin/sh\nexit 0\n");
        ServiceTracker<ResourceAgent, ResourceAgent> half = tracker(ctx, "ocf:mirantis:half_written");

        // And an agent removed goes away.
        Files.delete(providerDir.resolve("ns_haproxy"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (haproxy.getService() != null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(null, haproxy.getService(), "a deleted agent is still registered");
        assertEquals(null, half.getService(), "a non-executable file was registered as an agent");
        String[] specs = ctx.getServiceReferences(ResourceAgent.class, null).stream()
            .map(ref -> (String) ref.getProperty(ResourceAgent.AGENT)).sorted().toArray(String[]::new);
        assertEquals(List.of("ocf:eayun:Fresh", "vigil:Dummy"), List.of(specs));
    }

    /** An OCF agent whose start takes {@code delay} seconds and logs its beginning and end. */
    private static void writeSlowAgent(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
            #!/bin/sh
            case "$1" in
            meta-data) cat <<'END'
            <?xml version="1.0"?>
            <resource-agent name="Slow" version="1.0">
            <version>1.1</version>
            <longdesc lang="en">slow test agent</longdesc>
            <shortdesc lang="en">slow</shortdesc>
            <parameters>
            <parameter name="log" required="1"><longdesc lang="en">log</longdesc><shortdesc lang="en">log</shortdesc><content type="string"/></parameter>
            <parameter name="delay"><longdesc lang="en">delay</longdesc><shortdesc lang="en">delay</shortdesc><content type="string" default="0"/></parameter>
            </parameters>
            <actions><action name="start" timeout="20s"/><action name="meta-data" timeout="5s"/></actions>
            </resource-agent>
            END
            exit 0 ;;
            start)
              echo "$OCF_RESOURCE_INSTANCE start $$" >> "$OCF_RESKEY_log"
              [ "$OCF_RESKEY_delay" != 0 ] && sleep "$OCF_RESKEY_delay"
              [ "$OCF_RESKEY_delay" != 0 ] && echo "$OCF_RESOURCE_INSTANCE start-end $$" >> "$OCF_RESKEY_log"
              exit 0 ;;
            *) exit 3 ;;
            esac
            """, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static ServiceTracker<ResourceAgent, ResourceAgent> tracker(BundleContext ctx, String spec)
        throws Exception {
        ServiceTracker<ResourceAgent, ResourceAgent> t = new ServiceTracker<>(ctx, ctx.createFilter("(&("
            + Constants.OBJECTCLASS + "=" + ResourceAgent.class.getName() + ")(" + ResourceAgent.AGENT + "=" + spec
            + "))"), null);
        t.open();
        return t;
    }

    private static void refresh(BundleContext ctx, Bundle b) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        assertTrue(done.await(30, TimeUnit.SECONDS), "refresh did not finish");
    }

    private static Path jarOf(String className) throws Exception {
        return Path.of(Class.forName(className, false, LiveUpgradeIT.class.getClassLoader()).getProtectionDomain()
            .getCodeSource().getLocation().toURI());
    }

    /** A copy of a bundle jar with another Bundle-Version (what a rebuilt "v2" would carry). */
    static Path withVersion(Path in, Path out, String version) throws IOException {
        try (JarInputStream jin = new JarInputStream(Files.newInputStream(in))) {
            Manifest mf = new Manifest(jin.getManifest());
            mf.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_VERSION), version);
            try (JarOutputStream jout = new JarOutputStream(Files.newOutputStream(out), mf)) {
                JarEntry e;
                byte[] buf = new byte[8192];
                while ((e = jin.getNextJarEntry()) != null) {
                    jout.putNextEntry(new JarEntry(e.getName()));
                    ByteArrayOutputStream bo = new ByteArrayOutputStream();
                    int n;
                    while ((n = jin.read(buf)) > 0) {
                        bo.write(buf, 0, n);
                    }
                    jout.write(bo.toByteArray());
                    jout.closeEntry();
                }
            }
        }
        return out;
    }
}
