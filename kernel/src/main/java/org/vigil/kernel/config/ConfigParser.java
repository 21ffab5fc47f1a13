package org.vigil.kernel.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code corosync.conf} syntax into dotted keys, following corosync's own parser rule for rule
 * ({@code exec/coroparse.c}):
 * <ul>
 * <li>a line whose first non-blank character is {@code #}, or a blank line, is skipped; there are no trailing
 * comments ({@code version: 2 # x} has the value {@code 2 # x});</li>
 * <li>a line containing {@code {} opens a section (tested before {@code :}); the name is the text before it,
 * with blanks and a trailing {@code :} removed; nothing may follow the brace;</li>
 * <li>a line containing {@code :} is {@code key: value}; the key ends at the first colon, the value is the rest
 * with leading blanks removed, verbatim (so IPv6 addresses and inner spaces survive);</li>
 * <li>a line that is exactly {@code }} (after trimming) closes a section;</li>
 * <li>indentation (spaces, tabs, mixed) never matters; repeated sections merge; a repeated key's last value
 * wins.</li>
 * </ul>
 * Sections become key prefixes. {@code nodelist { node {...} }} becomes {@code nodelist.node.<n>.*} in order of
 * appearance; {@code totem { interface {...} }} becomes {@code totem.interface.<ringnumber>.*} with its
 * {@code member { memberaddr }} list as {@code totem.interface.<ringnumber>.member.<i>};
 * {@code logging { logger_subsys { subsys: X ... } }} becomes {@code logging.logger_subsys.X.*}.
 *
 * <p>Vigil additions: {@code include: FILE} (relative to the including file) reads another file in place, with
 * include loops reported; files must be UTF-8 and at most {@value #MAX_FILE_BYTES} bytes.
 *
 * <p>Errors name the place as {@code FILE:LINE: message}. Not thread-safe; use one parser per parse.
 */
public final class ConfigParser {

    /** Largest configuration file accepted. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Longest line accepted, in characters. */
    public static final int MAX_LINE_CHARS = 4096;
    /** Longest full key name (corosync's {@code ICMAP_KEYNAME_MAXLEN}). */
    public static final int MAX_KEY_LENGTH = 255;
    private static final int MAX_INCLUDE_DEPTH = 16;

    private final List<ConfigEntry> entries = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    private final Deque<Frame> stack = new ArrayDeque<>();
    private final Deque<Path> includeChain = new ArrayDeque<>();
    private int nodeCount;

    private ConfigParser() {
    }

    /** The result of a successful parse: the entries in file order and the warnings. */
    public record Result(List<ConfigEntry> entries, List<ConfigProblem> warnings) {
    }

    /**
     * Parses a file (and the files it includes).
     *
     * @throws ConfigException with the first syntax error, or an unreadable, oversized or non-UTF-8 file
     */
    public static Result parse(Path file) throws ConfigException {
        ConfigParser p = new ConfigParser();
        p.stack.push(Frame.root());
        p.parseFile(file, file.toString(), 0);
        p.finish(file.toString());
        p.warnRepeatedKeys();
        return new Result(List.copyOf(p.entries), List.copyOf(p.warnings));
    }

    /** Parses text as if it were the file {@code name} (includes resolve against the working directory). */
    public static Result parseText(String name, String text) throws ConfigException {
        ConfigParser p = new ConfigParser();
        p.stack.push(Frame.root());
        p.parseLines(Path.of(name).toAbsolutePath(), name, splitLines(text));
        p.finish(name);
        p.warnRepeatedKeys();
        return new Result(List.copyOf(p.entries), List.copyOf(p.warnings));
    }

    private void parseFile(Path file, String name, int includeLine) throws ConfigException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException(ConfigProblem.error(name, 0, "file is " + size
                    + " bytes; a configuration larger than " + MAX_FILE_BYTES + " bytes is refused"));
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(ConfigProblem.error(name, 0, "no such file"));
        } catch (IOException e) {
            throw new ConfigException(ConfigProblem.error(name, 0, "cannot read: " + e.getMessage()));
        }
        parseLines(file.toAbsolutePath().normalize(), name, decodeLines(name, bytes));
    }

    private static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    /** Splits into lines and decodes each as strict UTF-8, so a bad byte is reported with its line. */
    private static List<String> decodeLines(String name, byte[] bytes) throws ConfigException {
        List<String> lines = new ArrayList<>();
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        int lineNo = 1;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i == bytes.length && start == i) {
                    break;
                }
                try {
                    lines.add(dec.decode(ByteBuffer.wrap(bytes, start, i - start)).toString());
                } catch (CharacterCodingException e) {
                    int col = firstBadByte(bytes, start, i);
                    throw new ConfigException(ConfigProblem.error(name, lineNo, String.format(
                        "not valid UTF-8 (byte 0x%02X at column %d); the configuration must be UTF-8 text",
                        bytes[start + col] & 0xFF, col + 1)));
                }
                start = i + 1;
                lineNo++;
            }
        }
        return lines;
    }

    /** Offset (from {@code from}) of the first byte that does not begin a valid UTF-8 sequence. */
    static int firstBadByte(byte[] b, int from, int to) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, from, to - from);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(to - from + 1);
        java.nio.charset.CoderResult r = dec.decode(in, out, true);
        // on an error the decoder stops with the input positioned at the start of the bad sequence
        return r.isError() ? in.position() - from : 0;
    }

    private void parseLines(Path file, String name, List<String> lines) throws ConfigException {
        if (includeChain.contains(file)) {
            StringBuilder chain = new StringBuilder();
            for (var it = includeChain.descendingIterator(); it.hasNext(); ) {
                chain.append(it.next().getFileName()).append(" -> ");
            }
            chain.append(file.getFileName());
            throw new ConfigException(ConfigProblem.error(name, 0, "include loop: " + chain));
        }
        if (includeChain.size() >= MAX_INCLUDE_DEPTH) {
            throw new ConfigException(ConfigProblem.error(name, 0,
                "includes nested deeper than " + MAX_INCLUDE_DEPTH + " files"));
        }
        includeChain.push(file);
        for (int i = 0; i < lines.size(); i++) {
            parseLine(file, name, i + 1, lines.get(i));
        }
        includeChain.pop();
    }

    private void parseLine(Path file, String name, int lineNo, String raw) throws ConfigException {
        if (raw.length() > MAX_LINE_CHARS) {
            throw new ConfigException(ConfigProblem.error(name, lineNo,
                "line too long (" + raw.length() + " characters; the limit is " + MAX_LINE_CHARS + ")"));
        }
        if (raw.indexOf('\0') >= 0) {
            throw new ConfigException(ConfigProblem.error(name, lineNo, "line contains a NUL byte"));
        }
        String line = stripTrailing(raw);
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.charAt(0) == '#') {
            return;
        }
        int brace = line.indexOf('{');
        if (brace >= 0) {
            String after = line.substring(brace + 1).strip();
            if (!after.isEmpty()) {
                throw new ConfigException(ConfigProblem.error(name, lineNo,
                    "Extra characters after opening bracket '{'"));
            }
            String sectionName = line.substring(0, brace).strip();
            if (sectionName.endsWith(":")) {
                sectionName = sectionName.substring(0, sectionName.length() - 1).strip();
            }
            if (sectionName.isEmpty()) {
                throw new ConfigException(ConfigProblem.error(name, lineNo,
                    "Missing section name before opening bracket '{'"));
            }
            openSection(name, lineNo, sectionName);
            return;
        }
        int colon = line.indexOf(':');
        if (colon >= 0) {
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).stripLeading();
            if (key.isEmpty()) {
                throw new ConfigException(ConfigProblem.error(name, lineNo, "Missing key name before ':'"));
            }
            if (key.equals("include") && stack.peek().kind != Kind.MEMBER) {
                include(file, name, lineNo, value);
                return;
            }
            keyValue(name, lineNo, key, value);
            return;
        }
        if (line.indexOf('}') >= 0) {
            if (!trimmed.equals("}")) {
                throw new ConfigException(ConfigProblem.error(name, lineNo,
                    "Extra characters before or after closing bracket '}'"));
            }
            closeSection(name, lineNo);
            return;
        }
        throw new ConfigException(ConfigProblem.error(name, lineNo,
            "Line is not opening or closing section or key value"));
    }

    private void include(Path file, String name, int lineNo, String target) throws ConfigException {
        if (target.isEmpty()) {
            throw new ConfigException(ConfigProblem.error(name, lineNo, "include: missing file name"));
        }
        Path p = file.getParent() == null ? Path.of(target) : file.getParent().resolve(target);
        p = p.toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(ConfigProblem.error(name, lineNo, "include: no such file: " + target));
        }
        int depth = stack.size();
        try {
            parseFile(p, target, lineNo);
        } catch (ConfigException e) {
            throw e;
        }
        if (stack.size() != depth) {
            throw new ConfigException(ConfigProblem.error(target, 0,
                "included file leaves a section open (included from " + name + ":" + lineNo + ")"));
        }
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0) {
            char c = s.charAt(end - 1);
            if (c == '\r' || c == ' ' || c == '\t') {
                end--;
            } else {
                break;
            }
        }
        return s.substring(0, end);
    }

    private enum Kind { ROOT, PLAIN, NODELIST, NODE, TOTEM, INTERFACE, MEMBER, LOGGING, LOGGER_SUBSYS }

    /** One open section. Collecting sections (interface, member, logger_subsys) hold their keys until closed. */
    private static final class Frame {
        final Kind kind;
        final String name;
        final String prefix;
        final String file;
        final int line;
        final List<ConfigEntry> collected = new ArrayList<>();
        final List<ConfigEntry> members = new ArrayList<>();

        Frame(Kind kind, String name, String prefix, String file, int line) {
            this.kind = kind;
            this.name = name;
            this.prefix = prefix;
            this.file = file;
            this.line = line;
        }

        static Frame root() {
            return new Frame(Kind.ROOT, "", "", "", 0);
        }
    }

    private void openSection(String file, int line, String name) throws ConfigException {
        Frame parent = stack.peek();
        checkName(file, line, name);
        Frame f = switch (parent.kind) {
            case ROOT -> switch (name) {
                case "nodelist" -> new Frame(Kind.NODELIST, name, "nodelist", file, line);
                case "totem" -> new Frame(Kind.TOTEM, name, "totem", file, line);
                case "logging" -> new Frame(Kind.LOGGING, name, "logging", file, line);
                default -> new Frame(Kind.PLAIN, name, name, file, line);
            };
            case NODELIST -> name.equals("node")
                ? new Frame(Kind.NODE, name, "nodelist.node." + nodeCount++, file, line)
                : new Frame(Kind.PLAIN, name, parent.prefix + "." + name, file, line);
            case TOTEM -> name.equals("interface")
                ? new Frame(Kind.INTERFACE, name, "totem.interface", file, line)
                : new Frame(Kind.PLAIN, name, parent.prefix + "." + name, file, line);
            case INTERFACE -> {
                if (!name.equals("member")) {
                    throw new ConfigException(ConfigProblem.error(file, line,
                        "unexpected section '" + name + "' inside interface (only member is allowed)"));
                }
                yield new Frame(Kind.MEMBER, name, "", file, line);
            }
            case MEMBER -> throw new ConfigException(ConfigProblem.error(file, line,
                "Only memberaddr is allowed in member section"));
            case LOGGING -> name.equals("logger_subsys")
                ? new Frame(Kind.LOGGER_SUBSYS, name, "", file, line)
                : new Frame(Kind.PLAIN, name, parent.prefix + "." + name, file, line);
            case LOGGER_SUBSYS -> throw new ConfigException(ConfigProblem.error(file, line,
                "unexpected section '" + name + "' inside logger_subsys"));
            default -> new Frame(Kind.PLAIN, name, parent.prefix + "." + name, file, line);
        };
        stack.push(f);
    }

    private void keyValue(String file, int line, String key, String value) throws ConfigException {
        checkName(file, line, key);
        Frame f = stack.peek();
        switch (f.kind) {
            case ROOT -> throw new ConfigException(ConfigProblem.error(file, line,
                "key '" + key + "' outside of any section"));
            case MEMBER -> {
                if (!key.equals("memberaddr")) {
                    throw new ConfigException(ConfigProblem.error(file, line,
                        "Only memberaddr is allowed in member section"));
                }
                f.collected.add(new ConfigEntry(key, value, file, line));
            }
            case INTERFACE, LOGGER_SUBSYS -> f.collected.add(new ConfigEntry(key, value, file, line));
            default -> add(new ConfigEntry(f.prefix + "." + key, value, file, line));
        }
    }

    private void closeSection(String file, int line) throws ConfigException {
        if (stack.size() <= 1) {
            throw new ConfigException(ConfigProblem.error(file, line, "Unexpected closing brace"));
        }
        Frame f = stack.pop();
        Frame parent = stack.peek();
        switch (f.kind) {
            case MEMBER -> {
                if (f.collected.isEmpty()) {
                    throw new ConfigException(ConfigProblem.error(f.file, f.line,
                        "member section without memberaddr"));
                }
                parent.members.add(f.collected.get(f.collected.size() - 1));
            }
            case INTERFACE -> {
                String ring = "0";
                for (ConfigEntry e : f.collected) {
                    if (e.key().equals("ringnumber") || e.key().equals("linknumber")) {
                        ring = e.value().strip();
                    }
                }
                if (!ring.matches("[0-9]{1,3}")) {
                    throw new ConfigException(ConfigProblem.error(f.file, f.line,
                        "interface: ringnumber '" + ring + "' is not a number"));
                }
                String prefix = "totem.interface." + Integer.parseInt(ring);
                for (ConfigEntry e : f.collected) {
                    add(new ConfigEntry(prefix + "." + e.key(), e.value(), e.file(), e.line()));
                }
                int i = 0;
                for (ConfigEntry m : f.members) {
                    add(new ConfigEntry(prefix + ".member." + i++, m.value(), m.file(), m.line()));
                }
            }
            case LOGGER_SUBSYS -> {
                String subsys = null;
                for (ConfigEntry e : f.collected) {
                    if (e.key().equals("subsys")) {
                        subsys = e.value().strip();
                    }
                }
                if (subsys == null || subsys.isEmpty()) {
                    throw new ConfigException(ConfigProblem.error(f.file, f.line,
                        "logger_subsys section without a subsys key"));
                }
                checkName(f.file, f.line, subsys);
                for (ConfigEntry e : f.collected) {
                    add(new ConfigEntry("logging.logger_subsys." + subsys + "." + e.key(), e.value(),
                        e.file(), e.line()));
                }
            }
            default -> {
            }
        }
    }

    private void finish(String file) throws ConfigException {
        if (stack.size() > 1) {
            Frame open = stack.peek();
            throw new ConfigException(ConfigProblem.error(open.file, open.line,
                "Missing closing brace for section '" + open.name + "' opened here"));
        }
    }

    private void add(ConfigEntry e) throws ConfigException {
        if (e.key().length() > MAX_KEY_LENGTH) {
            throw new ConfigException(ConfigProblem.error(e.file(), e.line(),
                "key name '" + e.key().substring(0, 40) + "...' is longer than " + MAX_KEY_LENGTH + " characters"));
        }
        entries.add(e);
    }

    private static void checkName(String file, int line, String name) throws ConfigException {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '/' || c == ':' || c == '.';
            if (!ok) {
                throw new ConfigException(ConfigProblem.error(file, line, "invalid character '" + printable(c)
                    + "' in name '" + name + "' (allowed: letters, digits and . _ / : -)"));
            }
        }
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c);
    }

    /**
     * A key given twice (in one section, or in a repeated section) is legal, and the last value wins as in
     * corosync, but it is rarely meant: warn at both places, naming the other and the value that wins.
     */
    private void warnRepeatedKeys() {
        Map<String, ConfigEntry> first = new LinkedHashMap<>();
        for (ConfigEntry e : entries) {
            ConfigEntry before = first.putIfAbsent(e.key(), e);
            if (before != null) {
                warnings.add(ConfigProblem.warning(before.file(), before.line(), e.key() + " is set again at "
                    + e.file() + ":" + e.line() + "; the last value ('" + shorten(e.value()) + "') wins over this one ('"
                    + shorten(before.value()) + "')"));
                warnings.add(ConfigProblem.warning(e.file(), e.line(), e.key() + " was already set at "
                    + before.file() + ":" + before.line() + " ('" + shorten(before.value()) + "'); this value ('"
                    + shorten(e.value()) + "') wins"));
                first.put(e.key(), e);
            }
        }
    }

    private static String shorten(String v) {
        String t = v.strip();
        return t.length() <= 40 ? t : t.substring(0, 37) + "...";
    }

    /**
     * Collapses repeated keys (last one wins, as corosync does) while keeping first-appearance order.
     */
    public static Map<String, ConfigEntry> lastWins(List<ConfigEntry> entries) {
        Map<String, ConfigEntry> map = new LinkedHashMap<>();
        for (ConfigEntry e : entries) {
            map.put(e.key(), e);
        }
        return map;
    }
}
