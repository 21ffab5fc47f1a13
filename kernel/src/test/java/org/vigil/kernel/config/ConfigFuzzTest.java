package org.vigil.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.totem.RingSeqStore;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemSrp;
import org.vigil.kernel.internal.wire.WireCodec;

/**
 * Fuzz target: the configuration file, read as the node reads it ({@link VigilConfig#load}: file, UTF-8 lines,
 * includes, sections, typed keys, consistency checks), then used as the node uses it (cmap, Totem settings, the
 * wire codec, the engine's member list, the local-node lookup, {@code vigil config check}'s print).
 *
 * <p>Input: byte 0 with its top bit clear: the remaining bytes are the file. With it set: byte 1 picks one of the
 * real configurations under {@code fuzz/config/}, and each following 3-byte group {@code op · a · b} edits its
 * lines (delete, duplicate, swap, replace a value or a key, insert a known key or a section): mutations that keep
 * the file's structure, so the fuzzer reaches the checks behind the parser. Includes resolve beside the file,
 * where {@code nodes.conf} and {@code totem.conf} lie.
 *
 * <p>Invariants: loading either succeeds or throws {@link ConfigException} whose every problem names a file and
 * a line inside it ({@code FILE:LINE}, line 0 for the file as a whole); no other exception, no
 * {@link OutOfMemoryError} under the node's heap; a configuration that loads never makes the node's own use of it
 * throw.
 */
class ConfigFuzzTest {

    static final String[] BASES = {"corosync-2x-members.conf", "corosync-3x-crypto.conf", "two-node-udp.conf",
        "qdevice-ipv6.conf", "with-includes.conf"};
    private static final String[] VALUES = {"0", "1", "2", "-1", "30", "65535", "65536", "4294967295", "4294967296",
        "18446744073709551615", "18446744073709551616", "007", "+5", "1e3", "", " ", "yes", "no", "on", "off",
        "none", "aes256", "aes128", "sha1", "md5", "udpu", "udp", "knet", "passive", "active", "ipv6", "ipv4-6",
        "lowest", "highest", "127.0.0.1", "10.0.0.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "239.255.1.1",
        "::1", "fe80::1%lo", "fe80::1%nosuchif", "::ffff:10.0.0.1", "host.example.com", "-host", "a..b",
        "corosync_votequorum", "net", "ffsplit", "lms", "max", "min", "-20", "19", "QUORUM", "TOTEM", "x{", "}",
        "#", "a:b", "/etc/vigil/authkey", "nodes.conf", "x".repeat(300), "1".repeat(40)};
    private static final String[] SECTIONS = {"totem", "nodelist", "node", "interface", "member", "quorum",
        "device", "net", "heuristics", "logging", "logger_subsys", "system", "resources", "nozzle", "uidgid",
        "qb", "logging_daemon", "other"};
    private static final List<String> KEYS = new ArrayList<>();
    private static final byte[] KEY = new byte[128];
    private static final Path DIR;
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    static {
        Set<String> names = new HashSet<>();
        for (ConfigKey k : ConfigSchema.keys()) {
            String last = k.pattern().substring(k.pattern().lastIndexOf('.') + 1).replace("#", "1")
                .replace("*", "x");
            if (!last.isEmpty() && names.add(last)) {
                KEYS.add(last);
            }
        }
        try {
            DIR = Files.createTempDirectory("vigil-config-fuzz");
            DIR.toFile().deleteOnExit();
            for (String f : List.of("nodes.conf", "totem.conf")) {
                Path p = DIR.resolve(f);
                Files.write(p, resource(f));
                p.toFile().deleteOnExit();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @MethodSource("seeds")
    @FuzzTest
    void configFile(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] file = (input[0] & 0x80) == 0 ? Arrays.copyOfRange(input, 1, input.length) : edited(input);
        Path conf = DIR.resolve("corosync.conf");
        Files.write(conf, file);
        // Includes may name any file: the configuration is trusted input of the administrator, so a path that
        // leaves the directory is no finding here (Jazzer's path-traversal detector is told so).
        VigilConfig cfg;
        try (SilentCloseable unused = BugDetectors.setFilePathTraversalTarget(() -> null)) {
            cfg = VigilConfig.load(conf);
        } catch (ConfigException e) {
            checkProblems(e, conf, file);
            return;
        }
        useAsTheNodeDoes(cfg);
    }

    /** Every problem names a file and a line in it; at least one is an error. */
    private static void checkProblems(ConfigException e, Path conf, byte[] file) {
        assertFalse(e.errors().isEmpty(), "a ConfigException without an error: " + e.problems());
        int lines = lineCount(file);
        for (ConfigProblem p : e.problems()) {
            assertNotNull(p.file(), "a problem without a file: " + p);
            assertFalse(p.message() == null || p.message().isBlank(), "a problem without a message: " + p);
            assertTrue(p.line() >= 0, "a negative line: " + p);
            if (p.file().equals(conf.toString())) {
                assertTrue(p.line() <= lines, "line " + p.line() + " of a " + lines + "-line file: " + p);
            }
            assertTrue(p.toString().startsWith(p.file() + (p.line() > 0 ? ":" + p.line() + ": " : ": ")),
                "not printed as FILE:LINE: " + p);
        }
    }

    /** What NodeRuntime, RingDriver and 'vigil config check' do with a loaded configuration. */
    private static void useAsTheNodeDoes(VigilConfig cfg) {
        CmapStore cmap = new CmapStore();
        for (VigilConfig.Value v : cfg.cmapValues()) {
            cmap.set(v.key(), v.type(), v.value());
        }
        ConfigCheck.print(cfg, NOWHERE);
        assertFalse(cfg.nodes().isEmpty(), "a configuration without nodes loaded");
        int[] ids = cfg.nodes().stream().mapToInt(VigilConfig.Node::nodeId).sorted().toArray();
        for (VigilConfig.Node n : cfg.nodes()) {
            assertEquals(n, cfg.findLocalNode(null, Set.of(), n.nodeId(), null).orElseThrow());
            for (String a : n.addresses().values()) {
                VigilConfig.literal(a);
            }
        }
        VigilConfig.Totem t = cfg.totem();
        TotemConfig tc = TotemConfig.from(t);
        new WireCodec(t.clusterName(), ids[0], t.cryptoCipher(), t.cryptoHash(), KEY);
        new TotemSrp(ids[0], ids, tc, new RingSeqStore.InMemory(), null);
        cfg.scheduling();
        cfg.quorum();
        cfg.logging();
        cfg.interfaces();
    }

    private static int lineCount(byte[] file) {
        int n = 0;
        for (byte b : file) {
            if (b == '\n') {
                n++;
            }
        }
        return file.length > 0 && file[file.length - 1] != '\n' ? n + 1 : n;
    }

    /** Structure-keeping edits of a real configuration, read from the input (see the class comment). */
    static byte[] edited(byte[] input) {
        String base = input.length > 1 ? BASES[(input[1] & 0xFF) % BASES.length] : BASES[0];
        List<String> lines = new ArrayList<>(List.of(new String(resource(base), StandardCharsets.UTF_8)
            .split("\n", -1)));
        for (int i = 2; i + 3 <= input.length; i += 3) {
            int op = input[i] & 0xFF;
            int a = input[i + 1] & 0xFF;
            int b = input[i + 2] & 0xFF;
            int n = lines.size();
            int at = n == 0 ? 0 : a % n;
            switch (op % 8) {
                case 0 -> {
                    if (n > 0) {
                        lines.remove(at);
                    }
                }
                case 1 -> {
                    if (n > 0) {
                        lines.add(b % (n + 1), lines.get(at));
                    }
                }
                case 2 -> {
                    if (n > 0) {
                        String s = lines.get(at);
                        lines.set(at, lines.get(b % n));
                        lines.set(b % n, s);
                    }
                }
                case 3 -> {
                    if (n > 0 && lines.get(at).contains(":")) {
                        String l = lines.get(at);
                        lines.set(at, l.substring(0, l.indexOf(':') + 1) + " " + VALUES[b % VALUES.length]);
                    }
                }
                case 4 -> {
                    if (n > 0 && lines.get(at).contains(":")) {
                        String l = lines.get(at);
                        lines.set(at, "  " + KEYS.get(b % KEYS.size()) + l.substring(l.indexOf(':')));
                    }
                }
                case 5 -> lines.add(at, "  " + KEYS.get((b + op / 8 * 256) % KEYS.size()) + ": "
                    + VALUES[(a + b) % VALUES.length]);
                case 6 -> {
                    int close = n == 0 ? 0 : Math.max(at, b % (n + 1));
                    lines.add(Math.min(close, lines.size()), "}");
                    lines.add(at, SECTIONS[op / 8 % SECTIONS.length] + " {");
                }
                default -> lines.add(at, "include: " + (b % 2 == 0 ? "nodes.conf" : "totem.conf"));
            }
        }
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] resource(String name) {
        try (InputStream in = ConfigFuzzTest.class.getResourceAsStream("/fuzz/config/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Seeds: each real configuration as a file and unedited; then, for every key of the schema, one of them with
     * that key set to a boundary value (so every key's checks are in the corpus from the start).
     */
    static Stream<Arguments> seeds() {
        List<Arguments> seeds = new ArrayList<>();
        for (int i = 0; i < BASES.length; i++) {
            seeds.add(Arguments.of((Object) prefixed(0, resource(BASES[i]))));
            seeds.add(Arguments.of((Object) new byte[] {(byte) 0x80, (byte) i}));
        }
        String base = new String(resource("corosync-3x-crypto.conf"), StandardCharsets.UTF_8);
        for (ConfigKey k : ConfigSchema.keys()) {
            String[] path = k.pattern().split("\\.");
            String value = switch (k.type()) {
                case ENUM -> k.choices().get(k.choices().size() - 1);
                case STRING -> "x";
                default -> Long.toUnsignedString(k.max() + 1);
            };
            String text = withKey(base, path, value);
            seeds.add(Arguments.of((Object) prefixed(0, text.getBytes(StandardCharsets.UTF_8))));
        }
        return seeds.stream();
    }

    /** The configuration with {@code path} set: appended in a section of its own, as corosync merges sections. */
    private static String withKey(String base, String[] path, String value) {
        StringBuilder sb = new StringBuilder(base).append('\n');
        int depth = 0;
        for (int i = 0; i < path.length - 1; i++) {
            String s = path[i].replace("*", "x").replace("#", "1");
            if (i > 0 && path[i - 1].equals("node") || i > 0 && path[i - 1].equals("interface")) {
                continue;   // the node or interface index is the section's position, not a name
            }
            sb.append(s).append(" {\n");
            depth++;
            if (s.equals("logger_subsys")) {
                sb.append("subsys: QUORUM\n");
            }
        }
        String last = path[path.length - 1].replace("*", "x").replace("#", "1");
        sb.append(last.isEmpty() ? "debug" : last).append(": ").append(value).append('\n');
        sb.append("}\n".repeat(depth));
        return sb.toString();
    }

    private static byte[] prefixed(int first, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        out.writeBytes(rest);
        return out.toByteArray();
    }
}
