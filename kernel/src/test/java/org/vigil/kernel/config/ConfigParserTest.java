package org.vigil.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The corosync.conf grammar, rule by rule, and every kind of malformed file. */
class ConfigParserTest {

    @TempDir
    Path dir;

    private static Map<String, String> keys(String text) throws ConfigException {
        return ConfigParser.lastWins(ConfigParser.parseText("t.conf", text).entries()).values().stream()
            .collect(Collectors.toMap(ConfigEntry::key, ConfigEntry::value));
    }

    private static ConfigProblem error(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseText("t.conf", text));
        return e.errors().get(0);
    }

    @Test
    void sectionsKeysAndMixedIndentationBecomeDottedKeys() throws Exception {
        Map<String, String> k = keys("totem {\n\t version: 2\n        token:   3000\n  \t  interface {\n"
            + "    ringnumber: 0\n bindnetaddr: 10.0.0.1\n }\n}\n");
        assertEquals("2", k.get("totem.version"));
        assertEquals("3000", k.get("totem.token"));
        assertEquals("10.0.0.1", k.get("totem.interface.0.bindnetaddr"));
    }

    @Test
    void commentsOnlyAtLineStartAndNoTrailingComments() throws Exception {
        Map<String, String> k = keys("# header\ntotem {\n   # inside\n  version: 2 # not a comment\n}\n");
        assertEquals("2 # not a comment", k.get("totem.version"));
    }

    @Test
    void valueKeepsColonsAndInnerSpacesVerbatim() throws Exception {
        Map<String, String> k = keys("nodelist {\n node {\n  ring0_addr: fe80::1:2\n  name: my node\n }\n}\n");
        assertEquals("fe80::1:2", k.get("nodelist.node.0.ring0_addr"));
        assertEquals("my node", k.get("nodelist.node.0.name"));
    }

    @Test
    void sectionNameMayEndWithColon() throws Exception {
        assertEquals("2", keys("totem: {\n version: 2\n}\n").get("totem.version"));
    }

    @Test
    void repeatedSectionsMergeAndLastKeyWins() throws Exception {
        Map<String, String> k = keys("totem {\n token: 1000\n}\ntotem {\n token: 2000\n join: 60\n}\n");
        assertEquals("2000", k.get("totem.token"));
        assertEquals("60", k.get("totem.join"));
    }

    @Test
    void nodesAreNumberedInOrderOfAppearance() throws Exception {
        Map<String, String> k = keys("nodelist {\n node {\n ring0_addr: 10.0.0.1\n }\n node {\n"
            + " ring0_addr: 10.0.0.2\n }\n}\n");
        assertEquals("10.0.0.1", k.get("nodelist.node.0.ring0_addr"));
        assertEquals("10.0.0.2", k.get("nodelist.node.1.ring0_addr"));
    }

    @Test
    void memberListBecomesInterfaceMembersOfItsRing() throws Exception {
        Map<String, String> k = keys("totem {\n interface {\n member {\n memberaddr: 10.0.0.1\n }\n"
            + " member {\n memberaddr: 10.0.0.2\n }\n ringnumber: 1\n }\n}\n");
        assertEquals("10.0.0.1", k.get("totem.interface.1.member.0"));
        assertEquals("10.0.0.2", k.get("totem.interface.1.member.1"));
        assertEquals("1", k.get("totem.interface.1.ringnumber"));
    }

    @Test
    void loggerSubsysIsKeyedBySubsystem() throws Exception {
        Map<String, String> k = keys("logging {\n logger_subsys {\n subsys: QUORUM\n debug: on\n }\n}\n");
        assertEquals("on", k.get("logging.logger_subsys.QUORUM.debug"));
    }

    @Test
    void emptyFileParsesToNothing() throws Exception {
        assertTrue(ConfigParser.parseText("t.conf", "").entries().isEmpty());
    }

    @Test
    void unclosedBraceNamesTheSectionAndItsLine() {
        ConfigProblem p = error("totem {\n version: 2\n interface {\n mcastport: 5405\n}\n");
        assertEquals(1, p.line());
        assertTrue(p.message().contains("Missing closing brace for section 'totem'"), p.message());
    }

    @Test
    void strayClosingBrace() {
        ConfigProblem p = error("totem {\n version: 2\n}\n}\n");
        assertEquals(4, p.line());
        assertEquals("t.conf:4: Unexpected closing brace", p.toString());
    }

    @Test
    void extraCharactersAfterOpeningBrace() {
        ConfigProblem p = error("totem { version: 2\n}\n");
        assertEquals(1, p.line());
        assertTrue(p.message().contains("Extra characters after opening bracket"));
    }

    @Test
    void extraCharactersAroundClosingBrace() {
        assertEquals(3, error("totem {\n version: 2\n} x\n").line());
    }

    @Test
    void missingSectionName() {
        assertTrue(error("{\n}\n").message().contains("Missing section name"));
    }

    @Test
    void lineThatIsNeitherSectionNorKey() {
        ConfigProblem p = error("totem {\n version 2\n}\n");
        assertEquals(2, p.line());
        assertTrue(p.message().contains("Line is not opening or closing section or key value"));
    }

    @Test
    void keyOutsideSection() {
        assertTrue(error("token: 3000\n").message().contains("outside of any section"));
    }

    @Test
    void onlyMemberaddrInMemberSection() {
        assertTrue(error("totem {\n interface {\n member {\n addr: 1.2.3.4\n }\n }\n}\n").message()
            .contains("Only memberaddr is allowed in member section"));
    }

    @Test
    void invalidCharacterInKeyName() {
        ConfigProblem p = error("totem {\n to$ken: 1\n}\n");
        assertEquals(2, p.line());
        assertTrue(p.message().contains("invalid character '$'"));
    }

    @Test
    void nonUtf8BytesAreRefusedWithTheirLineAndColumn() throws IOException {
        Path f = dir.resolve("bad.conf");
        byte[] head = "totem {\n cluster_name: caf".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\n}\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xE9;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(f, all);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(f));
        ConfigProblem p = e.errors().get(0);
        assertEquals(2, p.line());
        assertTrue(p.message().contains("byte 0xE9 at column 19"), p.message());
    }

    /**
     * A Latin-1 byte that is a UTF-8 continuation byte (0xB0, the degree sign) used to be reported one byte and one
     * column early: the byte before it, at the column before it.
     */
    @Test
    void aStrayContinuationByteIsReportedAtItsOwnColumn() throws IOException {
        Path f = dir.resolve("deg.conf");
        // line 2: " token: 10" then 0xB0 at column 11; line 3 has a valid two-byte character before the bad byte
        Files.write(f, bytes(" token: 10", 0xB0));
        ConfigProblem p = assertThrows(ConfigException.class, () -> ConfigParser.parse(f)).errors().get(0);
        assertEquals(1, p.line());
        assertTrue(p.message().contains("byte 0xB0 at column 11"), p.message());
        Path g = dir.resolve("mixed.conf");
        byte[] eacute = "é".getBytes(StandardCharsets.UTF_8);
        Files.write(g, bytes(" cluster_name: caf" + new String(eacute, StandardCharsets.ISO_8859_1), 0x80, 'x'));
        ConfigProblem q = assertThrows(ConfigException.class, () -> ConfigParser.parse(g)).errors().get(0);
        assertTrue(q.message().contains("byte 0x80 at column 21"), q.message());
    }

    private static byte[] bytes(String latin1, int... more) {
        byte[] head = latin1.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + more.length);
        for (int i = 0; i < more.length; i++) {
            all[head.length + i] = (byte) more[i];
        }
        return all;
    }

    /** A key given twice is legal (the last wins, as in corosync) but warned about at both of its lines. */
    @Test
    void aRepeatedKeyIsWarnedAtBothLines() throws Exception {
        ConfigParser.Result r = ConfigParser.parseText("t.conf", "totem {\n token: 1000\n version: 2\n token: 5000\n}\n");
        assertEquals("5000", ConfigParser.lastWins(r.entries()).get("totem.token").value());
        List<ConfigProblem> w = r.warnings();
        assertEquals(2, w.size(), w.toString());
        assertEquals(2, w.get(0).line());
        assertTrue(w.get(0).message().contains("totem.token is set again at t.conf:4"), w.get(0).message());
        assertTrue(w.get(0).message().contains("'5000'"), w.get(0).message());
        assertEquals(4, w.get(1).line());
        assertTrue(w.get(1).message().contains("was already set at t.conf:2 ('1000'); this value ('5000') wins"),
            w.get(1).message());
        // repeated sections merge, and a key repeated across them is the same case
        assertEquals(2, ConfigParser.parseText("t.conf", "totem {\n token: 1\n}\ntotem {\n token: 2\n}\n").warnings()
            .size());
        assertEquals(0, ConfigParser.parseText("t.conf", "totem {\n token: 1\n}\nquorum {\n provider: x\n}\n")
            .warnings().size());
    }

    @Test
    void tenMegabyteFileIsRefusedWithoutReadingIt() throws IOException {
        Path f = dir.resolve("huge.conf");
        byte[] line = "totem {\n token: 3000\n}\n".getBytes(StandardCharsets.US_ASCII);
        byte[] big = new byte[10 * 1024 * 1024];
        for (int i = 0; i + line.length <= big.length; i += line.length) {
            System.arraycopy(line, 0, big, i, line.length);
        }
        Files.write(f, big);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(f));
        assertTrue(e.getMessage().contains("10485760 bytes"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
    }

    @Test
    void includeReadsAnotherFileInPlace() throws Exception {
        Files.writeString(dir.resolve("nodes.conf"), "nodelist {\n node {\n ring0_addr: 10.0.0.1\n }\n}\n");
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "totem {\n version: 2\n}\ninclude: nodes.conf\n");
        List<ConfigEntry> entries = ConfigParser.parse(main).entries();
        assertEquals("nodelist.node.0.ring0_addr", entries.get(1).key());
        assertEquals("nodes.conf", entries.get(1).file());
    }

    @Test
    void includeLoopIsReportedWithTheChain() throws Exception {
        Files.writeString(dir.resolve("a.conf"), "include: b.conf\n");
        Files.writeString(dir.resolve("b.conf"), "include: a.conf\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(dir.resolve("a.conf")));
        assertTrue(e.getMessage().contains("include loop: a.conf -> b.conf -> a.conf"), e.getMessage());
    }

    @Test
    void missingIncludeNamesTheLine() throws Exception {
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "totem {\n version: 2\n}\ninclude: nope.conf\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(main));
        assertEquals(4, e.errors().get(0).line());
    }

    @Test
    void missingFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(dir.resolve("none")));
        assertTrue(e.getMessage().endsWith(": no such file"));
    }
}
