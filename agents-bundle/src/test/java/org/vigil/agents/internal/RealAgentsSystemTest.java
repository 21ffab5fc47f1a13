package org.vigil.agents.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.fence.ExternalFenceAgent;
import org.vigil.agents.internal.meta.AgentMetadata;
import org.vigil.agents.internal.meta.MetadataParser;
import org.vigil.agents.internal.ocf.OcfAgent;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;
import org.vigil.shell.internal.agents.AgentDirectory;
import org.vigil.shell.internal.agents.CrmResourceCommand;
import org.vigil.shell.internal.agents.StonithAdminCommand;

/**
 * The real agents an admin has, from Debian's {@code resource-agents}, {@code pacemaker-resource-agents} and
 * {@code fence-agents}, run through Vigil: Dummy life cycles, IPaddr2 and ping inside network namespaces this
 * test creates ({@code vag*}, 10.61.0.0/16), every installed OCF agent's meta-data, {@code fence_dummy}, the
 * {@code crm_resource}/{@code stonith_admin} commands next to Pacemaker's own, and {@code ocf-tester} against the
 * built-in vigil:Dummy. Runs only with {@code -Dvigil.systemTests=true} as root (CI installs the packages).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RealAgentsSystemTest {

    static final Path OCF = Path.of("/usr/lib/ocf");

    @TempDir
    Path tmp;
    AgentRunner runner;
    AgentSettings settings;

    @BeforeEach
    void setUp() {
        assumeTrue(SystemTests.on(), "system tests are off");
        assertEquals("root", System.getProperty("user.name"), "vigil.systemTests is set: this test needs root");
        assertTrue(Files.isDirectory(OCF.resolve("resource.d/heartbeat")), "resource-agents is not installed");
        runner = new AgentRunner(null);
        settings = AgentSettings.from(k -> k.equals("vigil.agents.state.dir") ? tmp.resolve("state").toString()
            : null);
    }

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close();
        }
    }

    private static AgentResult run(ResourceAgent a, String rsc, String action, Map<String, String> p)
        throws Exception {
        return a.execute(AgentRequest.of(rsc, action, p, Duration.ofSeconds(30))).toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    }

    private static void lifeCycle(ResourceAgent a, Map<String, String> p) throws Exception {
        assertEquals(OcfStatus.NOT_RUNNING, run(a, "d1", "monitor", p).status(), "probe of a stopped resource");
        assertTrue(run(a, "d1", "start", p).ok(), "start");
        assertEquals(OcfStatus.OK, run(a, "d1", "monitor", p).status(), "monitor after start");
        assertTrue(run(a, "d1", "start", p).ok(), "start of a started resource");
        assertTrue(run(a, "d1", "reload", p).ok(), "reload");
        assertTrue(run(a, "d1", "validate-all", p).ok(), "validate-all");
        assertTrue(run(a, "d1", "migrate_to", p).ok(), "migrate_to");
        assertTrue(run(a, "d1", "migrate_from", p).ok(), "migrate_from");
        assertTrue(run(a, "d1", "stop", p).ok(), "stop");
        assertEquals(OcfStatus.NOT_RUNNING, run(a, "d1", "monitor", p).status(), "monitor after stop");
        assertTrue(run(a, "d1", "stop", p).ok(), "stop of a stopped resource");
    }

    @Test
    void heartbeatDummyFullLifeCycle() throws Exception {
        OcfAgent a = new OcfAgent("heartbeat", "Dummy", settings, runner);
        lifeCycle(a, Map.of("state", tmp.resolve("hb.state").toString(), "fake", "x"));
        AgentMetadata md = a.parsedMetaData();
        assertEquals("Dummy", md.name());
        assertTrue(md.parameter("state").isPresent() && md.action("monitor").isPresent());
        assertEquals(OcfStatus.ERR_CONFIGURED, run(a, "d1", "start", Map.of("no_such_param", "1")).status());
    }

    @Test
    void pacemakerDummyFullLifeCycle() throws Exception {
        assertTrue(Files.exists(OCF.resolve("resource.d/pacemaker/Dummy")), "pacemaker-resource-agents missing");
        OcfAgent a = new OcfAgent("pacemaker", "Dummy", settings, runner);
        lifeCycle(a, Map.of("state", tmp.resolve("pcmk.state").toString(), "op_sleep", "0.1"));
        assertTrue(a.parsedMetaData().parameter("op_sleep").isPresent());
    }

    @Test
    void everyInstalledOcfAgentDescribesItselfInParseableMetaData() throws Exception {
        List<OcfAgent> all = new ArrayList<>();
        try (Stream<Path> providers = Files.list(OCF.resolve("resource.d"))) {
            for (Path prov : providers.sorted().toList()) {
                try (Stream<Path> agents = Files.list(prov)) {
                    for (Path f : agents.sorted().toList()) {
                        if (!f.getFileName().toString().startsWith(".") && Files.isExecutable(f)) {
                            all.add(new OcfAgent(prov.getFileName().toString(), f.getFileName().toString(), settings,
                                runner));
                        }
                    }
                }
            }
        }
        assertTrue(all.size() > 100, "only " + all.size() + " OCF agents installed");
        Map<String, String> failures = new TreeMap<>();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (OcfAgent a : all) {
            pending.add(a.execute(AgentRequest.of(a.type(), "meta-data", Map.of(), Duration.ofSeconds(30)))
                .toCompletableFuture().thenAccept(r -> {
                    try {
                        if (!r.ok()) {
                            throw new IllegalStateException(r.exec() + " " + r.exitCode() + " " + r.exitReason());
                        }
                        AgentMetadata md = MetadataParser.parse(r.output(), a.spec());
                        if (md.actions().isEmpty()) {
                            throw new IllegalStateException("no actions");
                        }
                    } catch (Exception e) {
                        synchronized (failures) {
                            failures.put(a.spec(), e.getMessage());
                        }
                    }
                }));
            if (pending.size() % 8 == 0) {
                CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
            }
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        System.out.println("meta-data of " + all.size() + " installed OCF agents: " + (all.size() - failures.size())
            + " parsed, failures: " + failures);
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void ipaddr2AddsAndRemovesAnAddressInsideANetworkNamespace() throws Exception {
        try (Netns netns = new Netns()) {
            String ns = netns.create();
            String peer = netns.create();
            Netns.sh("ip", "-n", ns, "link", "add", "vagd0", "type", "veth", "peer", "name", "vagd1", "netns", peer);
            Netns.sh("ip", "-n", ns, "addr", "add", "10.61.1.1/24", "dev", "vagd0");
            Netns.sh("ip", "-n", ns, "link", "set", "vagd0", "up");
            Netns.sh("ip", "-n", peer, "link", "set", "vagd1", "up");
            Path w = tmp.resolve("ocf/resource.d/vagns/IPaddr2");
            TestAgents.script(w, "#!/bin/sh\nOCF_ROOT=" + OCF + "; export OCF_ROOT\nexec ip netns exec " + ns + " "
                + OCF.resolve("resource.d/heartbeat/IPaddr2") + " \"$@\"\n");
            AgentSettings s = TestAgents.settings(tmp, 256 * 1024);
            OcfAgent a = new OcfAgent("vagns", "IPaddr2", s, runner);
            Map<String, String> p = Map.of("ip", "10.61.1.50", "cidr_netmask", "24", "nic", "vagd0");
            assertEquals(OcfStatus.NOT_RUNNING, run(a, "vip", "monitor", p).status());
            AgentResult start = run(a, "vip", "start", p);
            assertTrue(start.ok(), start.toString());
            assertTrue(Netns.sh("ip", "-n", ns, "addr", "show", "dev", "vagd0").contains("inet 10.61.1.50/24"),
                "10.61.1.50 was not added inside " + ns);
            assertFalse(Netns.sh("ip", "addr", "show").contains("10.61.1.50"), "the address leaked to the host");
            assertEquals(OcfStatus.OK, run(a, "vip", "monitor", p).status());
            assertTrue(run(a, "vip", "stop", p).ok());
            assertFalse(Netns.sh("ip", "-n", ns, "addr", "show", "dev", "vagd0").contains("10.61.1.50"));
            assertEquals(OcfStatus.NOT_RUNNING, run(a, "vip", "monitor", p).status());
            AgentResult missingIp = run(a, "vip", "start", Map.of("cidr_netmask", "24"));
            assertEquals(OcfStatus.ERR_CONFIGURED, missingIp.status());
            assertTrue(missingIp.error().contains("required parameter 'ip'"), missingIp.error());
        }
    }

    // ocf:pacemaker:ping runs against the node's real attrd (its attrd_updater on the agent's PATH) in
    // itest AttrdIT.theRealPingAgentWritesPingdThroughVigilsAttrdUpdater; the stand-in that recorded its calls here
    // is gone with the CRM's attrd.

    @Test
    void fenceDummyFromFenceAgentsSwitchesItsStatusFile() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/sbin/fence_dummy")), "fence-agents is not installed");
        ExternalFenceAgent f = new ExternalFenceAgent("fence_dummy", settings, runner);
        assertTrue(f.metaData().contains("<resource-agent name=\"fence_dummy\""));
        AgentMetadata md = MetadataParser.parse(f.metaData(), "fence_dummy");
        assertTrue(md.parameter("status_file").isPresent());
        Map<String, String> dev = Map.of("type", "file", "status_file", tmp.resolve("fd.status").toString());
        AgentResult off = fence(f, "off", dev);
        assertTrue(off.ok(), off.toString());
        AgentResult status = fence(f, "status", dev);
        assertEquals(2, status.exitCode(), "status after off must say off (2): " + status);
        assertTrue(fence(f, "on", dev).ok());
        assertEquals(0, fence(f, "status", dev).exitCode());
        assertEquals(0, fence(f, "monitor", dev).exitCode());
        AgentResult inject = fence(f, "off", Map.of("type", "file", "status_file", "x\naction=on"));
        assertEquals(OcfStatus.ERR_CONFIGURED, inject.status(), "a line break in a value must be refused");
    }

    private static AgentResult fence(ExternalFenceAgent f, String action, Map<String, String> dev) throws Exception {
        return f.execute(new FenceRequest(action, "node1", dev, Duration.ofSeconds(30))).toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    }

    record Cmd(int status, String out, String err) {
    }

    private static Cmd cmd(org.vigil.kernel.api.command.AdminCommand c, String... args) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int s = c.execute(List.of(args), new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Cmd(s, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private static Cmd pacemaker(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Cmd(p.exitValue(), out, err);
    }

    @Test
    void crmResourceAndStonithAdminAnswerLikePacemakersOwn() throws Exception {
        AgentDirectory dir = new AgentDirectory();
        List<String> provs;
        try (Stream<Path> ps = Files.list(OCF.resolve("resource.d"))) {
            provs = ps.filter(Files::isDirectory).map(f -> f.getFileName().toString()).toList();
        }
        for (String prov : provs) {
            try (Stream<Path> s = Files.list(OCF.resolve("resource.d/" + prov))) {
                s.filter(f -> !f.getFileName().toString().startsWith(".") && Files.isExecutable(f))
                    .forEach(f -> dir.add(new OcfAgent(prov, f.getFileName().toString(), settings, runner)));
            }
        }
        dir.add(new ExternalFenceAgent("fence_dummy", settings, runner));
        CrmResourceCommand crm = new CrmResourceCommand(dir);
        String state = tmp.resolve("cmd.state").toString();
        String[] force = {"--class", "ocf", "--provider", "heartbeat", "--agent", "Dummy", "--option",
            "state=" + state};
        Cmd check = cmd(crm, concat("--force-check", force));
        assertEquals(7, check.status());
        assertEquals("Operation force-check (ocf:heartbeat:Dummy) returned 7 (not running)\n", check.out());
        assertEquals(0, cmd(crm, concat("--force-start", force)).status());
        assertEquals("Operation force-check (ocf:heartbeat:Dummy) returned 0 (ok)\n",
            cmd(crm, concat("--force-check", force)).out());
        assertEquals(0, cmd(crm, concat("--force-stop", force)).status());
        Cmd ip = cmd(crm, "--force-check", "--class", "ocf", "--provider", "heartbeat", "--agent", "IPaddr2");
        assertEquals(6, ip.status());
        assertTrue(ip.out().startsWith("Operation force-check (ocf:heartbeat:IPaddr2) returned 6 (not configured: "),
            ip.out());
        assertTrue(ip.out().contains("required parameter 'ip' of ocf:heartbeat:IPaddr2 is missing"), ip.out());
        assertTrue(cmd(crm, "--show-metadata", "ocf:heartbeat:IPaddr2").out().contains("<parameter name=\"ip\""));

        // Side by side with Pacemaker's crm_resource on the same machine (pacemaker-cli-utils, .ci/packages).
        assertTrue(Files.isExecutable(Path.of("/usr/sbin/crm_resource")),
            "crm_resource (pacemaker-cli-utils) is not installed: the side-by-side check cannot run");
        assertEquals(pacemaker("crm_resource", "--list-ocf-providers").out(), cmd(crm, "--list-ocf-providers").out());
        assertEquals(pacemaker("crm_resource", "--list-agents", "ocf:heartbeat").out(),
            cmd(crm, "--list-agents", "ocf:heartbeat").out());
        assertEquals(pacemaker("crm_resource", "--list-agents", "ocf:pacemaker").out(),
            cmd(crm, "--list-agents", "ocf:pacemaker").out());
        Cmd theirs = pacemaker(concat("crm_resource", concat("--force-check", force)));
        assertEquals(theirs.out(), cmd(crm, concat("--force-check", force)).out());
        assertEquals(theirs.status(), cmd(crm, concat("--force-check", force)).status());
        StonithAdminCommand st = new StonithAdminCommand(dir);
        assertEquals("fence_dummy\n1 fence device found\n", cmd(st, "--list-installed").out());
        assertTrue(cmd(st, "--metadata", "--agent", "fence_dummy").out().contains("status_file"));
    }

    private static String[] concat(String first, String... rest) {
        String[] a = new String[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }

    @Test
    void ocfTesterPassesOnTheBuiltInDummy() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/sbin/ocf-tester")), "ocf-tester (resource-agents) missing");
        // ocf-tester runs meta-data as user nobody: copy the classes somewhere nobody may read them.
        Path pub = Files.createTempDirectory("vigil-ocftester");
        try {
            Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path agentsClasses = Path.of(DummyClass.location(org.vigil.agents.internal.builtin.DummyMain.class));
            Path kernelClasses = Path.of(DummyClass.location(OcfStatus.class));
            Path cp1 = copyTree(agentsClasses, pub.resolve("agents"));
            Path cp2 = copyTree(kernelClasses, pub.resolve("kernel"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path wrapper = TestAgents.script(pub.resolve("Dummy"), "#!/bin/sh\nexec " + java
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp " + cp1 + ":" + cp2
                + " org.vigil.agents.internal.builtin.DummyMain \"$@\"\n");
            Process p = new ProcessBuilder("/usr/sbin/ocf-tester", "-n", "vigil-dummy", "-o",
                "state=" + pub.resolve("dummy.state"), wrapper.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(150, TimeUnit.SECONDS));
            System.out.println("ocf-tester on vigil:Dummy:\n" + out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("passed all tests"), out);
        } finally {
            try (Stream<Path> w = Files.walk(pub)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static Path copyTree(Path from, Path to) throws Exception {
        if (Files.isRegularFile(from)) {
            Files.createDirectories(to);
            Path j = to.resolve(from.getFileName());
            Files.copy(from, j);
            Files.setPosixFilePermissions(j, PosixFilePermissions.fromString("rw-r--r--"));
            return j;
        }
        try (Stream<Path> w = Files.walk(from)) {
            for (Path f : w.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(f, t);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
        return to;
    }

    /** Where a class was loaded from (a directory of classes or a jar). */
    static final class DummyClass {
        static String location(Class<?> c) throws Exception {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
    }
}
