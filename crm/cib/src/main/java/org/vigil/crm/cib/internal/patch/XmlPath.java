package org.vigil.crm.cib.internal.patch;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.api.cib.XmlNode;

/**
 * The element paths of a v2 patchset, as Pacemaker writes them ({@code pcmk__element_xpath}): from the root,
 * {@code /name[@id='ID']} for an element with an id, else {@code /name}. Vigil adds {@code /name[N]} (1-based)
 * for an element without id among same-named siblings, so that every path names exactly one element.
 *
 * <p>Thread-safe (stateless).
 */
public final class XmlPath {

    private XmlPath() {
    }

    /** The path of the element at {@code indexes} (child indexes from {@code root}). */
    public static String of(XmlNode root, int[] indexes) {
        StringBuilder b = new StringBuilder();
        XmlNode n = root;
        segment(b, null, -1, n);
        for (int i : indexes) {
            XmlNode parent = n;
            n = n.children().get(i);
            segment(b, parent, i, n);
        }
        return b.toString();
    }

    /** The path of {@code child}, the {@code index}-th child of the element whose path is {@code parentPath}. */
    public static String child(String parentPath, XmlNode parent, int index) {
        StringBuilder b = new StringBuilder(parentPath);
        segment(b, parent, index, parent.children().get(index));
        return b.toString();
    }

    private static void segment(StringBuilder b, XmlNode parent, int index, XmlNode n) {
        b.append('/').append(n.name());
        String id = n.id();
        if (id != null) {
            b.append("[@id='").append(id.replace("'", "&apos;")).append("']");
        } else if (parent != null) {
            int same = 0;
            int pos = 0;
            for (int k = 0; k < parent.children().size(); k++) {
                XmlNode c = parent.children().get(k);
                if (c.name().equals(n.name()) && c.id() == null) {
                    same++;
                    if (k == index) {
                        pos = same;
                    }
                }
            }
            if (same > 1) {
                b.append('[').append(pos).append(']');
            }
        }
    }

    /** One step of a path: an element name and either an id, a 1-based position among id-less siblings, or neither. */
    record Step(String name, String id, int position) {
    }

    /** Splits a path into steps; null if it is not a path this class writes. */
    static List<Step> parse(String path) {
        if (path == null || !path.startsWith("/")) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        int i = 1;
        while (i <= path.length()) {
            int start = i;
            while (i < path.length() && path.charAt(i) != '/' && path.charAt(i) != '[') {
                i++;
            }
            String name = path.substring(start, i);
            if (name.isEmpty()) {
                return null;
            }
            String id = null;
            int position = 0;
            if (i < path.length() && path.charAt(i) == '[') {
                if (path.startsWith("[@id='", i)) {
                    int end = path.indexOf("']", i + 6);
                    if (end < 0) {
                        return null;
                    }
                    id = path.substring(i + 6, end).replace("&apos;", "'");
                    i = end + 2;
                } else {
                    int end = path.indexOf(']', i);
                    if (end < 0) {
                        return null;
                    }
                    try {
                        position = Integer.parseInt(path.substring(i + 1, end));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                    if (position < 1) {
                        return null;
                    }
                    i = end + 1;
                }
            }
            steps.add(new Step(name, id, position));
            if (i < path.length() && path.charAt(i) != '/') {
                return null;
            }
            i++;
        }
        return steps;
    }

    /**
     * The child indexes (from {@code root}) of the element a path names, or null if there is none. The first step
     * must name the root itself.
     */
    public static int[] resolve(XmlNode root, String path) {
        List<Step> steps = parse(path);
        if (steps == null || steps.isEmpty() || !matches(root, steps.get(0))) {
            return null;
        }
        int[] out = new int[steps.size() - 1];
        XmlNode n = root;
        for (int s = 1; s < steps.size(); s++) {
            Step step = steps.get(s);
            int found = -1;
            int seen = 0;
            List<XmlNode> children = n.children();
            for (int k = 0; k < children.size() && found < 0; k++) {
                XmlNode c = children.get(k);
                if (!c.name().equals(step.name())) {
                    continue;
                }
                if (step.id() != null) {
                    if (step.id().equals(c.id())) {
                        found = k;
                    }
                } else if (c.id() == null) {
                    seen++;
                    if (step.position() == 0 || step.position() == seen) {
                        found = k;
                    }
                }
            }
            if (found < 0) {
                return null;
            }
            out[s - 1] = found;
            n = children.get(found);
        }
        return out;
    }

    private static boolean matches(XmlNode n, Step step) {
        return n.name().equals(step.name()) && (step.id() == null || step.id().equals(n.id()));
    }
}
