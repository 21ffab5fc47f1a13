package org.vigil.crm.cib.internal.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;

/**
 * {@code apply(diff(a, b), a) == b} on seeded random documents and edits (ids and id-less elements, reordered
 * children and attributes, moved and replaced subtrees), on Pacemaker's own corpus CIBs, and through the
 * patchset's XML form; a patchset never applies to a copy it does not fit.
 */
class PatchsetRoundTripTest {

    private static final String[] NAMES = {"primitive", "group", "nvpair", "op", "meta_attributes", "rule", "expression"};

    /** A random element; about half have ids (unique within the document, from {@code ids}). */
    static XmlNode randomNode(Random r, int depth, int[] ids) {
        String name = NAMES[r.nextInt(NAMES.length)];
        Map<String, String> attrs = new LinkedHashMap<>();
        if (r.nextBoolean()) {
            attrs.put("id", "i" + ids[0]++);
        }
        for (int i = r.nextInt(4); i > 0; i--) {
            attrs.put("a" + r.nextInt(6), randomValue(r));
        }
        List<XmlNode> kids = new ArrayList<>();
        if (depth > 0) {
            for (int i = r.nextInt(5); i > 0; i--) {
                kids.add(randomNode(r, depth - 1, ids));
            }
        }
        return XmlNode.of(name, attrs, kids, 0, 0);
    }

    private static String randomValue(Random r) {
        String[] v = {"x", "1", "INFINITY", "a b", "q\"uote", "<lt>", "amp&", "tab\there", "line\nbreak", ""};
        return v[r.nextInt(v.length)];
    }

    static XmlNode randomCib(Random r, int[] ids) {
        XmlNode root = XmlNode.of("cib", "validate-with", "pacemaker-3.9", "admin_epoch", "0", "epoch",
            Integer.toString(r.nextInt(10)), "num_updates", Integer.toString(r.nextInt(10)));
        XmlNode conf = XmlNode.of("configuration");
        for (int i = r.nextInt(4) + 1; i > 0; i--) {
            conf = conf.plusChild(randomNode(r, 3, ids));
        }
        return root.plusChild(conf).plusChild(XmlNode.of("status"));
    }

    /** One random edit somewhere in the tree. */
    static XmlNode edit(Random r, XmlNode root, int[] ids) {
        List<int[]> paths = new ArrayList<>();
        collect(root, new int[0], paths);
        int[] p = paths.get(r.nextInt(paths.size()));
        XmlNode n = root.at(p);
        XmlNode changed = switch (r.nextInt(9)) {
            case 0 -> n.with("a" + r.nextInt(6), randomValue(r));
            case 1 -> {
                if (n.attributeCount() == 0) {
                    yield n;
                }
                String victim = n.attributeName(r.nextInt(n.attributeCount()));
                // the root always keeps its version (the CIB service stamps it on every copy)
                yield p.length == 0 && Differ.VERSION.contains(victim) ? n : n.without(victim);
            }
            case 2 -> n.plusChild(r.nextInt(n.children().size() + 1), randomNode(r, 2, ids));
            case 3 -> n.children().isEmpty() ? n : n.minusChild(r.nextInt(n.children().size()));
            case 4 -> {
                if (n.children().size() < 2) {
                    yield n;
                }
                int from = r.nextInt(n.children().size());
                XmlNode c = n.children().get(from);
                yield n.minusChild(from).plusChild(r.nextInt(n.children().size()), c);
            }
            case 5 -> {
                // reorder attributes (keep the root's version attributes where they are)
                if (p.length == 0 || n.attributeCount() < 2) {
                    yield n;
                }
                Map<String, String> rev = new LinkedHashMap<>();
                for (int i = n.attributeCount() - 1; i >= 0; i--) {
                    rev.put(n.attributeName(i), n.attributeValue(i));
                }
                yield n.withAttributes(rev);
            }
            case 6 -> p.length == 0 ? n : randomNode(r, 2, ids);   // replace a subtree
            case 7 -> n.withoutChildren();
            default -> n.with("a0", null);
        };
        return root.replaceAt(p, changed);
    }

    private static void collect(XmlNode n, int[] at, List<int[]> out) {
        out.add(at);
        for (int i = 0; i < n.children().size(); i++) {
            int[] c = java.util.Arrays.copyOf(at, at.length + 1);
            c[at.length] = i;
            collect(n.children().get(i), c, out);
        }
    }

    private static void assertRoundTrip(XmlNode a, XmlNode b, String what) throws Exception {
        Patchset p = Differ.diff(a, b);
        XmlNode applied = CibVersion.of(b).stamp(Patcher.apply(a, p));
        assertEquals(b.toXml(), applied.toXml(), what + "\npatch: " + p.toXml().toPrettyXml());
        // the same through the patchset's XML text
        Patchset back = Patchset.fromXml(XmlText.parse(p.toXml().toXml(), "patch"), "patch");
        assertEquals(p, back, what);
        if (a.equals(b) || (p.changes().isEmpty())) {
            assertEquals(a.withAttributes(b.attributes()), b, what);
        }
    }

    @Test
    void randomEditsRoundTripExactly() throws Exception {
        for (long seed = 1; seed <= 3000; seed++) {
            Random r = new Random(seed);
            int[] ids = {0};
            XmlNode a = randomCib(r, ids);
            XmlNode b = a;
            for (int k = r.nextInt(6) + 1; k > 0; k--) {
                b = edit(r, b, ids);
            }
            b = b.with("epoch", Integer.toString(r.nextInt(20)));
            assertRoundTrip(a, b, "seed " + seed);
        }
    }

    @Test
    void pacemakersOwnCorpusRoundTripsUnderRandomEdits() throws Exception {
        Path dir = Path.of(System.getProperty("vigil.root", "../..")).resolve(
            "crm/scheduler/src/test/resources/pacemaker-scheduler/xml");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".xml")).sorted().limit(120).toList();
        }
        assertTrue(files.size() >= 100, "corpus at " + dir);
        Random r = new Random(42);
        for (Path f : files) {
            XmlNode a;
            try (InputStream in = Files.newInputStream(f)) {
                a = XmlText.parse(in, f.toString(), XmlText.DEFAULT_MAX_BYTES);
            }
            int[] ids = {0};
            XmlNode b = a;
            for (int k = 0; k < 5; k++) {
                b = edit(r, b, ids);
            }
            assertRoundTrip(a, b, f.getFileName().toString());
            assertRoundTrip(b, a, f.getFileName() + " (reverse)");
        }
    }

    @Test
    void aOneAttributeChangeIsASmallPatchWhateverTheDocumentSize() throws Exception {
        Random r = new Random(7);
        int[] ids = {0};
        XmlNode big = randomCib(r, ids);
        XmlNode conf = big.firstChild("configuration");
        for (int i = 0; i < 4000; i++) {
            conf = conf.plusChild(XmlNode.of("primitive", "id", "r" + i, "class", "ocf", "type", "Dummy"));
        }
        big = big.replaceAt(new int[] {0}, conf);
        XmlNode changed = big.replaceAt(new int[] {0, 1500}, big.at(new int[] {0, 1500}).with("type", "IPaddr2"));
        Patchset p = Differ.diff(big, changed);
        assertEquals(1, p.changes().size());
        int bytes = p.toXml().toXml().length();
        assertTrue(bytes < 600, bytes + " bytes: " + p.toXml().toXml().substring(0, Math.min(2000, bytes)));
        assertTrue(big.toXml().length() > 100_000);
    }

    @Test
    void aPatchsetThatDoesNotFitIsAConflictAndChangesNothing() throws Exception {
        XmlNode a = XmlText.parse("<cib epoch='1'><configuration><resources><primitive id='r1'/></resources>"
            + "</configuration><status/></cib>", "a");
        XmlNode b = a.replaceAt(new int[] {0, 0}, a.at(new int[] {0, 0}).plusChild(XmlNode.of("primitive", "id", "r2")));
        Patchset createR2 = Differ.diff(a, b);
        Patcher.Conflict twice = assertThrows(Patcher.Conflict.class, () -> Patcher.apply(b, createR2));
        assertTrue(twice.getMessage().contains("exists already"), twice.getMessage());
        XmlNode noResources = XmlText.parse("<cib epoch='1'><configuration/><status/></cib>", "c");
        Patcher.Conflict missing = assertThrows(Patcher.Conflict.class, () -> Patcher.apply(noResources, createR2));
        assertTrue(missing.getMessage().contains("no such element"), missing.getMessage());
    }
}
