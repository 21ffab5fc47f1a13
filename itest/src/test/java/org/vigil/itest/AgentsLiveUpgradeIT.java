package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import javax.inject.Inject;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.vigil.itest.support.BundleJars;
import org.vigil.itest.support.Distribution;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * The exported distribution in Felix: {@code upgrade} of the agents bundle (the admin command, as an operator
 * would run it) while a 4 s OCF {@code start} and a 3 s {@code vigil:Dummy} start are in flight and two loops call
 * actions through the service registry. The new bundle is a real new build: the exported jar with {@code
 * DummyLogic} compiled again from its source with two changes (meta-data version {@value #V2_MARK}, and each
 * action's log line ends with {@value #V2_MARK}). Checked: the in-flight actions complete and are delivered;
 * every call's result listener, registered on the stage {@code execute} returned, runs exactly once; every agent
 * invocation happens exactly once (each appends a line to a log, so an action run twice shows); no agent process
 * is killed (the long start's script runs to its last line); the in-flight vigil:Dummy start finishes on the old
 * code, the calls made before the upgrade ran the old code, and every call made after it runs the new code (its
 * log line and the meta-data carry the mark); the services then come from the new revision; no other bundle is
 * restarted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AgentsLiveUpgradeIT {

    private static final String AGENTS = "org.vigil.agents";
    /** What the new build's vigil:Dummy puts in its meta-data version and at the end of each log line. */
    static final String V2_MARK = "itest-v2";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        List<Option> opts = new ArrayList<>(Distribution.bundles());
        Path dir = Distribution.nodeProperties(opts, "agents-upgrade");
        writeSlowAgent(dir.resolve("ocf/resource.d/vigiltest/Slow"));
        String[] v2 = buildAgentsV2(dir);
        opts.add(frameworkProperty("vigil.itest.agentsV2").value(v2[0]));
        opts.add(frameworkProperty("vigil.itest.agentsV2.version").value(v2[1]));
        opts.add(frameworkProperty("vigil.itest.dir").value(dir.toString()));
        opts.add(frameworkProperty("vigil.agents.ocf.root").value(dir.resolve("ocf").toString()));
        opts.add(frameworkProperty("vigil.agents.lsb.dir").value(dir.resolve("init.d").toString()));
        opts.add(frameworkProperty("vigil.agents.fence.dir").value(dir.resolve("sbin").toString()));
        opts.add(frameworkProperty("vigil.agents.state.dir").value(dir.resolve("agents-state").toString()));
        opts.add(frameworkProperty("vigil.agents.rsctmp").value(dir.resolve("rsctmp").toString()));
        opts.add(junitBundles());
        return options(opts.toArray(new Option[0]));
    }

    private static void writeSlowAgent(Path file) throws Exception {
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

    /**
     * The new release of the agents bundle: the exported jar, its Bundle-Version + "v2", and {@code DummyLogic}
     * (with the {@link #V2_MARK} changes) and {@code DummyAgent} (unchanged; it inlines the meta-data constant)
     * compiled again from their sources (javac, release 17, against the exported bundles). Runs in the test
     * driver, before the framework starts.
     *
     * @return the jar's path and its version
     */
    private static String[] buildAgentsV2(Path dir) throws Exception {
        Path jar = agentsJar();
        String v1;
        try (JarFile j = new JarFile(jar.toFile())) {
            v1 = j.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
        String pkg = "org/vigil/agents/internal/builtin/";
        Path root = Path.of(System.getProperty("vigil.root", ".."));
        Path sources = root.resolve("agents-bundle/src/main/java");
        String code = Files.readString(sources.resolve(pkg + "DummyLogic.java"));
        code = replaceOnce(code, "<resource-agent name=\"Dummy\" version=\"1.0\">",
            "<resource-agent name=\"Dummy\" version=\"" + V2_MARK + "\">");
        code = replaceOnce(code, "resource + \" \" + action + \"\\n\"",
            "resource + \" \" + action + \" " + V2_MARK + "\\n\"");
        Path src = dir.resolve("agents-v2-src").resolve(pkg + "DummyLogic.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code, StandardCharsets.UTF_8);
        Path agentSrc = Files.copy(sources.resolve(pkg + "DummyAgent.java"), src.resolveSibling("DummyAgent.java"));
        Path classes = Files.createDirectories(dir.resolve("agents-v2-classes"));
        String cp;
        try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
            cp = String.join(java.io.File.pathSeparator, files.map(Path::toString).sorted().toList())
                + java.io.File.pathSeparator + System.getProperty("java.class.path"); // + OSGi annotations
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull("no Java compiler in this JVM (a JDK is required)", javac);
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "--release", "17", "-proc:none", "-nowarn", "-cp", cp, "-d",
            classes.toString(), src.toString(), agentSrc.toString());
        assertEquals("javac of the v2 DummyLogic: " + diag.toString(StandardCharsets.UTF_8), 0, rc);
        Map<String, byte[]> replace = new TreeMap<>();
        try (var walk = Files.walk(classes)) {
            for (Path c : walk.filter(f -> f.toString().endsWith(".class")).toList()) {
                replace.put(classes.relativize(c).toString().replace(java.io.File.separatorChar, '/'),
                    Files.readAllBytes(c));
            }
        }
        assertTrue("javac wrote no DummyLogic or DummyAgent class: " + replace.keySet(),
            replace.containsKey(pkg + "DummyLogic.class") && replace.containsKey(pkg + "DummyAgent.class"));
        String v2 = v1 + "v2";
        Path out = BundleJars.withEntries(jar, dir.resolve("agents-v2.jar"), replace, "Bundle-Version", v2);
        return new String[] {out.toString(), v2};
    }

    private static String replaceOnce(String text, String from, String to) {
        int i = text.indexOf(from);
        assertTrue("DummyLogic.java no longer has " + from + " (update the v2 build of this test)",
            i >= 0 && text.indexOf(from, i + 1) < 0);
        return text.substring(0, i) + to + text.substring(i + from.length());
    }

    private ServiceTracker<ResourceAgent, ResourceAgent> tracker(String spec) throws Exception {
        ServiceTracker<ResourceAgent, ResourceAgent> t = new ServiceTracker<>(context, context.createFilter("(&("
            + Constants.OBJECTCLASS + "=" + ResourceAgent.class.getName() + ")(" + ResourceAgent.AGENT + "=" + spec
            + "))"), null);
        t.open();
        return t;
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static Path agentsJar() throws Exception {
        try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("agents-bundle-")).findFirst()
                .orElseThrow();
        }
    }

    @Test
    public void upgradingTheAgentsBundleLosesNoActionRunsNoneTwiceAndKillsNoAgent() throws Exception {
        Path dir = Path.of(context.getProperty("vigil.itest.dir"));
        Path log = dir.resolve("calls.log");
        Bundle agents = bundle(AGENTS);
        String v1 = agents.getVersion().toString();
        String v2 = context.getProperty("vigil.itest.agentsV2.version");
        Path v2Jar = Path.of(context.getProperty("vigil.itest.agentsV2"));

        ServiceTracker<ResourceAgent, ResourceAgent> slow = tracker("ocf:vigiltest:Slow");
        ServiceTracker<ResourceAgent, ResourceAgent> dummy = tracker("vigil:Dummy");
        ResourceAgent slowV1 = slow.waitForService(20_000);
        assertNotNull("ocf:vigiltest:Slow was not registered", slowV1);
        assertNotNull("vigil:Dummy was not registered", dummy.waitForService(20_000));
        String metaV1 = dummy.getService().metaData();
        assertTrue(metaV1, metaV1.contains("<resource-agent name=\"Dummy\" version=\"1.0\">"));

        // Deliveries are counted by a listener on the very stage execute() returned: a second completion of it
        // would show as 2 (a CompletableFuture cannot complete twice; the agent's log below counts actual runs).
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        CompletableFuture<AgentResult> longStart = listen(slowV1.execute(AgentRequest.of("long", "start",
            Map.of("log", log.toString(), "delay", "4"), Duration.ofSeconds(60))), "long", deliveries);
        CompletableFuture<AgentResult> longDummy = listen(dummy.getService().execute(AgentRequest.of("long-dummy",
            "start", Map.of("log", log.toString(), "start_delay", "3", "state",
                dir.resolve("long-dummy.state").toString()), Duration.ofSeconds(60))), "long-dummy", deliveries);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean upgrading = new AtomicBoolean();
        AtomicBoolean swapped = new AtomicBoolean();
        List<String> dummyBeforeUpgrade = Collections.synchronizedList(new ArrayList<>());
        List<String> dummyAfterSwap = Collections.synchronizedList(new ArrayList<>());
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ocfAfterSwap = new AtomicInteger();
        CountDownLatch loopsDone = new CountDownLatch(2);
        for (String which : List.of("ocf", "dummy")) {
            Thread t = new Thread(() -> {
                try {
                    int n = 0;
                    while (running.get()) {
                        String id = which + "-" + (n++);
                        boolean afterSwap = swapped.get(); // read before the service is looked up
                        ResourceAgent a = (which.equals("ocf") ? slow : dummy).waitForService(20_000);
                        if (a == null) {
                            problems.add(id + ": no " + which + " service for 20 s");
                            return;
                        }
                        Map<String, String> params = which.equals("ocf") ? Map.of("log", log.toString(), "delay", "0")
                            : Map.of("log", log.toString(), "state", dir.resolve(id + ".state").toString());
                        CompletableFuture<AgentResult> f = listen(a.execute(AgentRequest.of(id, "start", params,
                            Duration.ofSeconds(30))), id, deliveries);
                        AgentResult r = f.get(30, TimeUnit.SECONDS);
                        if (!r.ok()) {
                            problems.add(id + ": " + r);
                        }
                        if (which.equals("dummy") && !upgrading.get()) {
                            dummyBeforeUpgrade.add(id);
                        }
                        if (which.equals("dummy") && afterSwap) {
                            dummyAfterSwap.add(id);
                        }
                        if (swapped.get() && which.equals("ocf")) {
                            ocfAfterSwap.incrementAndGet();
                        }
                        if (which.equals("dummy")) {
                            Thread.sleep(2);
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
        assertTrue("the long starts should still be in flight", !longStart.isDone() && !longDummy.isDone());
        if (compilerPresent()) {
            // This build has the native runner helper: it, not python3, must be what runs the agents here.
            List<String> helpers = ProcessHandle.current().children().map(ph -> ph.info().command().orElse("?"))
                .toList();
            assertTrue("no native vigil-runner among this JVM's children: " + helpers,
                helpers.stream().anyMatch(c -> c.endsWith("/vigil-runner")));
        }
        Collection<ServiceReference<AdminCommand>> refs =
            context.getServiceReferences(AdminCommand.class, "(" + AdminCommand.NAME + "=upgrade)");
        AdminCommand upgrade = context.getService(refs.iterator().next());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        upgrading.set(true);
        int status = upgrade.execute(List.of(v2Jar.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals("upgrade: " + err.toString(StandardCharsets.UTF_8), 0, status);
        assertTrue(report, report.startsWith("upgraded " + AGENTS + " " + v1 + " -> " + v2)
            && report.contains("other bundles restarted: none"));
        swapped.set(true);
        assertTrue("the long OCF start finished before the swap; the test proves nothing", !longStart.isDone());

        AgentResult lr = longStart.get(30, TimeUnit.SECONDS);
        AgentResult ld = longDummy.get(30, TimeUnit.SECONDS);
        Thread.sleep(1500);
        running.set(false);
        assertTrue("the call loops did not finish", loopsDone.await(60, TimeUnit.SECONDS));
        assertTrue("in-flight OCF start: " + lr, lr.ok());
        assertTrue("in-flight vigil:Dummy start: " + ld, ld.ok());
        assertTrue(problems.toString(), problems.isEmpty());
        assertTrue("no OCF call ran after the swap", ocfAfterSwap.get() > 0);

        Map<String, Integer> invocations = new TreeMap<>();
        Map<String, Boolean> newCode = new TreeMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] w = line.split(" ");
            if (w[1].equals("start") || w[1].equals("start-end")) {
                invocations.merge(w[0] + (w[1].equals("start-end") ? "#end" : ""), 1, Integer::sum);
                newCode.put(w[0], w.length > 2 && w[2].equals(V2_MARK));
            }
        }
        Thread.sleep(200); // a second delivery of a stage, if any, has had time to run its listener
        for (Map.Entry<String, AtomicInteger> e : deliveries.entrySet()) {
            assertEquals(e.getKey() + " delivered", 1, e.getValue().get());
            assertEquals(e.getKey() + " ran", 1, (int) invocations.getOrDefault(e.getKey(), 0));
        }
        // The upgrade really changed the code: the old code ran what started before it, the new code what after.
        assertTrue("no vigil:Dummy call completed before the upgrade", !dummyBeforeUpgrade.isEmpty());
        assertTrue("no vigil:Dummy call was made after the swap", !dummyAfterSwap.isEmpty());
        for (String id : dummyBeforeUpgrade) {
            assertEquals(id + " (done before the upgrade) ran the new code", false, newCode.get(id));
        }
        for (String id : dummyAfterSwap) {
            assertEquals(id + " (made after the swap) did not run the new code", true, newCode.get(id));
        }
        assertEquals("the in-flight vigil:Dummy start finished on the old code", false, newCode.get("long-dummy"));
        String metaV2 = dummy.getService().metaData();
        assertTrue("the new revision's meta-data: " + metaV2,
            metaV2.contains("<resource-agent name=\"Dummy\" version=\"" + V2_MARK + "\">"));
        assertEquals(1, (int) invocations.getOrDefault("long", 0));
        assertEquals("the long start's script ran to its end (not killed)", 1,
            (int) invocations.getOrDefault("long#end", 0));
        assertEquals(1, (int) invocations.getOrDefault("long-dummy", 0));
        int logged = invocations.entrySet().stream().filter(e -> !e.getKey().endsWith("#end"))
            .mapToInt(Map.Entry::getValue).sum();
        assertEquals("invocations logged vs calls made", deliveries.size(), logged);
        assertEquals("the service comes from the new revision", v2,
            slow.getServiceReference().getBundle().getVersion().toString());
        System.out.println(report + "; " + deliveries.size() + " calls around the swap (" + ocfAfterSwap.get()
            + " OCF after it), in-flight starts " + lr.elapsed().toMillis() + " ms and " + ld.elapsed().toMillis()
            + " ms delivered, every call delivered once and run once; vigil:Dummy on the old code for "
            + dummyBeforeUpgrade.size() + " calls before the upgrade and the in-flight start, on the new code for "
            + dummyAfterSwap.size() + " calls after it");
        slow.close();
        dummy.close();
    }

    /** Agents are discovered while the node runs: a provider directory appears, an agent is removed. */
    @Test
    public void agentsAppearAndDisappearWithTheirFiles() throws Exception {
        Path dir = Path.of(context.getProperty("vigil.itest.dir"));
        Path fresh = dir.resolve("ocf/resource.d/eayun/Fresh");
        writeSlowAgent(fresh);
        ServiceTracker<ResourceAgent, ResourceAgent> tracker = tracker("ocf:eayun:Fresh");
        ResourceAgent f = tracker.waitForService(40_000);
        assertNotNull("a new agent was not discovered", f);
        AgentResult r = f.execute(AgentRequest.of("fresh", "start", Map.of("log", dir.resolve("f.log").toString()),
            Duration.ofSeconds(20))).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(r.toString(), r.ok());
        Path half = dir.resolve("ocf/resource.d/eayun/half_written");
        Files.writeString(half, "#!/bin/sh\nexit 0\n");
        ServiceTracker<ResourceAgent, ResourceAgent> halfTracker = tracker("ocf:eayun:half_written");
        Files.delete(fresh);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (tracker.getService() != null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("a deleted agent is still registered", null, tracker.getService());
        assertEquals("a non-executable file was registered as an agent", null, halfTracker.getService());
        tracker.close();
        halfTracker.close();
    }

    /** The stage as a future, with a listener on the stage itself counting its deliveries. */
    private static CompletableFuture<AgentResult> listen(CompletionStage<AgentResult> stage, String id,
                                                         Map<String, AtomicInteger> deliveries) {
        AtomicInteger n = deliveries.computeIfAbsent(id, k -> new AtomicInteger());
        stage.whenComplete((r, e) -> n.incrementAndGet());
        return stage.toCompletableFuture();
    }

    private static boolean compilerPresent() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "command -v cc").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
