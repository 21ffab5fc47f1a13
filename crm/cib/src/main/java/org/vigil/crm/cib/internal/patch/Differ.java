package org.vigil.crm.cib.internal.patch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;

/**
 * Makes the v2 patchset between two documents. Follows {@code xml_create_patchset()} in Pacemaker's
 * {@code lib/common/patchset.c}: children are matched by name and id (elements without an id by name and
 * occurrence), deletions come first, then creations, attribute changes and moves in the new document's order; the
 * root's version attributes are not changes (they travel in the version block).
 *
 * <p>The result is exact: {@code Patcher.apply(a, diff(a, b))} equals {@code b}, attribute order included. An
 * element without an id that changes place among its siblings is deleted and created again (its path would
 * otherwise be ambiguous while it moves).
 *
 * <p>Thread-safe (stateless).
 */
public final class Differ {

    /** Root attributes that are the version. */
    static final Set<String> VERSION = Set.of("admin_epoch", "epoch", "num_updates");
    /** Root attributes Pacemaker leaves out of digests. */
    static final Set<String> VOLATILE_ROOT = Set.of("cib-last-written", "update-origin", "update-client",
        "update-user");

    private Differ() {
    }

    /** The patchset from {@code a} to {@code b}, with their own versions as source and target. */
    public static Patchset diff(XmlNode a, XmlNode b) {
        return diff(a, b, CibVersion.of(a), CibVersion.of(b));
    }

    /** The patchset from {@code a} to {@code b}, labelled with the given versions. */
    public static Patchset diff(XmlNode a, XmlNode b, CibVersion source, CibVersion target) {
        if (!a.name().equals(b.name())) {
            throw new IllegalArgumentException("cannot diff <" + a.name() + "> against <" + b.name() + ">");
        }
        List<Patchset.Change> deletes = new ArrayList<>();
        List<Patchset.Change> others = new ArrayList<>();
        String rootPath = "/" + a.name() + (a.id() != null ? "[@id='" + a.id() + "']" : "");
        node(a, b, rootPath, true, deletes, others);
        // deletions in reverse document order: removing one never shifts the position of another still to come
        Collections.reverse(deletes);
        List<Patchset.Change> all = new ArrayList<>(deletes);
        all.addAll(others);
        return new Patchset(source, target, all);
    }

    private static void node(XmlNode a, XmlNode b, String path, boolean root, List<Patchset.Change> deletes,
                             List<Patchset.Change> others) {
        if (a == b) {
            return;   // a subtree both versions share: unchanged (immutable trees share what did not change)
        }
        attributes(a, b, path, root, others);
        List<XmlNode> oldKids = a.children();
        List<XmlNode> newKids = b.children();
        int[] match = match(oldKids, newKids);   // new index -> old index, or -1
        boolean[] kept = new boolean[oldKids.size()];
        for (int m : match) {
            if (m >= 0) {
                kept[m] = true;
            }
        }
        // an id-less element that would have to move among its siblings is deleted and created instead
        while (true) {
            int needsMove = firstIdlessMove(oldKids, match, kept);
            if (needsMove < 0) {
                break;
            }
            kept[match[needsMove]] = false;
            match[needsMove] = -1;
        }
        for (int j = 0; j < oldKids.size(); j++) {
            if (!kept[j]) {
                collectDelete(path, a, j, deletes);
            }
        }
        List<Integer> working = new ArrayList<>();
        for (int j = 0; j < oldKids.size(); j++) {
            if (kept[j]) {
                working.add(j);
            }
        }
        for (int i = 0; i < newKids.size(); i++) {
            XmlNode nc = newKids.get(i);
            String childPath = XmlPath.child(path, b, i);
            if (match[i] < 0) {
                others.add(new Patchset.Create(path, i, nc));
                working.add(i, -1);
                continue;
            }
            int at = working.indexOf(match[i]);
            if (at != i) {
                others.add(new Patchset.Move(childPath, i));
                working.remove(at);
                working.add(i, match[i]);
            }
            node(oldKids.get(match[i]), nc, childPath, false, deletes, others);
        }
    }

    /** Index (in the new order) of the first matched id-less child whose relative order changed, or -1. */
    private static int firstIdlessMove(List<XmlNode> oldKids, int[] match, boolean[] kept) {
        List<Integer> working = new ArrayList<>();
        for (int j = 0; j < oldKids.size(); j++) {
            if (kept[j]) {
                working.add(j);
            }
        }
        int pos = 0;
        for (int i = 0; i < match.length; i++) {
            if (match[i] < 0) {
                continue;
            }
            int at = working.indexOf(match[i]);
            if (at != pos && oldKids.get(match[i]).id() == null) {
                return i;
            }
            working.remove(at);
            working.add(pos, match[i]);
            pos++;
        }
        return -1;
    }

    private static void collectDelete(String parentPath, XmlNode parent, int index, List<Patchset.Change> deletes) {
        // in document order; the caller reverses the whole list
        deletes.add(new Patchset.Delete(XmlPath.child(parentPath, parent, index)));
    }

    private static void attributes(XmlNode a, XmlNode b, String path, boolean root, List<Patchset.Change> out) {
        List<Patchset.AttrChange> changes = new ArrayList<>();
        boolean orderChanged = false;
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < a.attributeCount(); i++) {
            String n = a.attributeName(i);
            if (root && VERSION.contains(n)) {
                continue;
            }
            String nv = b.attribute(n);
            if (nv == null) {
                changes.add(new Patchset.AttrChange(n, null));
            } else {
                kept.add(n);
                if (!nv.equals(a.attributeValue(i))) {
                    changes.add(new Patchset.AttrChange(n, nv));
                }
            }
        }
        List<String> newOrder = new ArrayList<>();
        for (int i = 0; i < b.attributeCount(); i++) {
            String n = b.attributeName(i);
            if (root && VERSION.contains(n)) {
                continue;
            }
            if (a.attribute(n) == null) {
                changes.add(new Patchset.AttrChange(n, b.attributeValue(i)));
            } else {
                newOrder.add(n);
            }
        }
        orderChanged = !kept.equals(newOrder) || (root && !versionOrder(a).equals(versionOrder(b)));
        if (changes.isEmpty() && !orderChanged) {
            return;
        }
        // the element's attributes after the change, in order (the root's version ones included: they give
        // their place; their values come from the version block)
        Map<String, String> result = new java.util.LinkedHashMap<>();
        for (int i = 0; i < b.attributeCount(); i++) {
            result.put(b.attributeName(i), b.attributeValue(i));
        }
        out.add(new Patchset.Modify(path, changes, XmlNode.of(b.name(), result, List.of(), 0, 0)));
    }

    private static List<String> versionOrder(XmlNode n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.attributeCount(); i++) {
            out.add(n.attributeName(i));
        }
        return out;
    }

    /** For each new child, the old child it is (same name and id; without id: same name and occurrence), or -1. */
    static int[] match(List<XmlNode> oldKids, List<XmlNode> newKids) {
        Map<String, Integer> byKey = new HashMap<>();
        Map<String, Integer> occurrence = new HashMap<>();
        for (int j = 0; j < oldKids.size(); j++) {
            byKey.putIfAbsent(key(oldKids.get(j), occurrence), j);
        }
        occurrence.clear();
        int[] out = new int[newKids.size()];
        boolean[] used = new boolean[oldKids.size()];
        for (int i = 0; i < newKids.size(); i++) {
            Integer j = byKey.get(key(newKids.get(i), occurrence));
            out[i] = j == null || used[j] ? -1 : j;
            if (j != null) {
                used[j] = true;
            }
        }
        return out;
    }

    private static String key(XmlNode n, Map<String, Integer> occurrence) {
        String id = n.id();
        if (id != null) {
            return n.name() + "\u0000#" + id;
        }
        int k = occurrence.merge(n.name(), 1, Integer::sum);
        return n.name() + "\u0000@" + k;
    }

    static boolean same(Object a, Object b) {
        return Objects.equals(a, b);
    }
}
