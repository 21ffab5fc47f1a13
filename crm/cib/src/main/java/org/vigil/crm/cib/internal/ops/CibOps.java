package org.vigil.crm.cib.internal.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;

/**
 * What each CIB request does to a document, as Pacemaker 2.1.5's {@code lib/cib/cib_ops.c} does it, on immutable
 * trees: every method returns a new document (or the answer of a query) and never changes its input.
 *
 * <p>The version is not touched here except where the operation itself moves it ({@code bump}, {@code erase}, a
 * whole-CIB replace); {@link #nextVersion} applies {@code xml_create_patchset()}'s counter rule afterwards.
 *
 * <p>Thread-safe (stateless).
 */
public final class CibOps {

    /** The sections {@code -o/--scope} names, and the path to each from {@code <cib>}. */
    public static final Map<String, List<String>> SECTIONS = sections();

    private CibOps() {
    }

    private static Map<String, List<String>> sections() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("cib", List.of());
        m.put("status", List.of("status"));
        m.put("configuration", List.of("configuration"));
        for (String s : List.of("crm_config", "nodes", "resources", "constraints", "op_defaults", "rsc_defaults",
            "acls", "fencing-topology", "tags", "alerts")) {
            m.put(s, List.of("configuration", s));
        }
        m.put("all", List.of());
        return m;
    }

    /** The result of an operation: the new document, and whether a {@code value++} was expanded on the way. */
    public record Result(XmlNode root, boolean expanded) {
    }

    /** Checks a scope name; null and "all" mean the whole CIB. */
    public static String checkScope(String scope) throws CibError {
        if (scope != null && !SECTIONS.containsKey(scope)) {
            throw new CibError(CibError.USAGE, "Invalid argument", "unknown scope '" + scope + "' (known: "
                + String.join(", ", SECTIONS.keySet()) + ")");
        }
        return scope == null || scope.equals("all") || scope.equals("cib") ? null : scope;
    }

    /** Child indexes of a section, or null if it does not exist; null scope is the root. */
    public static int[] sectionPath(XmlNode root, String scope) {
        List<String> names = scope == null ? List.of() : SECTIONS.get(scope);
        int[] out = new int[names.size()];
        XmlNode n = root;
        for (int i = 0; i < names.size(); i++) {
            int at = -1;
            for (int k = 0; k < n.children().size(); k++) {
                if (n.children().get(k).is(names.get(i))) {
                    at = k;
                    break;
                }
            }
            if (at < 0) {
                return null;
            }
            out[i] = at;
            n = n.children().get(at);
        }
        return out;
    }

    // ---- query ------------------------------------------------------------------------------------------------

    /**
     * {@code cibadmin --query}: the section, or the elements an XPath selects ({@code <xpath-query>} around
     * several), shallow with {@code noChildren}. Follows {@code cib_process_query()} and {@code cib_process_xpath()}.
     */
    public static XmlNode query(XmlNode root, String scope, String xpath, boolean noChildren) throws CibError {
        List<XmlNode> found = new ArrayList<>();
        if (xpath != null) {
            for (int[] p : CibXPath.select(root, xpath)) {
                found.add(root.at(p));
            }
            if (found.isEmpty()) {
                throw CibError.noSuch("the XPath " + xpath + " matches nothing");
            }
        } else {
            int[] at = sectionPath(root, checkScope(scope));
            if (at == null) {
                throw CibError.noSuch("there is no " + scope + " section");
            }
            found.add(root.at(at));
        }
        if (noChildren) {
            found.replaceAll(XmlNode::withoutChildren);
        }
        return found.size() == 1 ? found.get(0) : XmlNode.of("xpath-query").withChildren(found);
    }

    // ---- changes ----------------------------------------------------------------------------------------------

    /** Applies a modifying request to {@code root} (its version is left to {@link #nextVersion}). */
    public static Result apply(XmlNode root, CibRequest request) throws CibError {
        CibRequest r = prepare(request);
        Result res = switch (r.op()) {
            case CREATE -> create(root, r);
            case MODIFY -> modify(root, r);
            case DELETE -> new Result(delete(root, r), false);
            case REPLACE -> new Result(replace(root, r), false);
            case ERASE -> new Result(erase(root, r), false);
            case BUMP -> new Result(root.with("epoch", Long.toString(CibVersion.of(root).epoch() + 1)), false);
            case PATCH -> throw new IllegalArgumentException("patches are applied by the engine");
        };
        return new Result(expandRemainingPlusPlus(res.root()), res.expanded());
    }

    /**
     * Follows {@code fix_plus_plus_recursive()}, which {@code cib_perform_op()} runs on every result: an attribute
     * anywhere in the document whose value is still {@code NAME++} or {@code NAME+=N} (NAME its own name: it had no
     * old value to expand against, e.g. on an element just created) becomes {@code 1} or {@code N}, counted from 0.
     * Returns {@code n} itself when nothing changes.
     */
    static XmlNode expandRemainingPlusPlus(XmlNode n) {
        XmlNode out = n;
        for (int i = 0; i < n.attributeCount(); i++) {
            String name = n.attributeName(i);
            String value = n.attributeValue(i);
            if (value.length() >= name.length() + 2 && value.startsWith(name)) {
                String e = expandPlusPlus("0", name, value);
                if (e != null) {
                    out = out.with(name, e);
                }
            }
        }
        for (int i = 0; i < n.children().size(); i++) {
            XmlNode c = n.children().get(i);
            XmlNode fixed = expandRemainingPlusPlus(c);
            if (fixed != c) {
                out = out.withChild(i, fixed);
            }
        }
        return out;
    }

    /**
     * Follows {@code cib_prepare_common()}: a request with a scope whose data is a whole {@code <cib>} works on that
     * section of the data ({@code cibadmin -R -o resources -x cib.xml} replaces the resources only); a section the
     * data does not have leaves the request without data. Other requests are returned as they are.
     */
    public static CibRequest prepare(CibRequest r) {
        if (r.scope() == null || r.data() == null || !r.data().is("cib") || r.xpath() != null
            || r.op() == CibRequest.Op.PATCH) {
            return r;
        }
        String scope = r.scope();
        XmlNode section = scope.equals("all") || scope.equals("cib") ? r.data() : null;
        if (section == null && SECTIONS.containsKey(scope)) {
            int[] at = sectionPath(r.data(), scope);
            section = at == null ? null : r.data().at(at);
        }
        return new CibRequest(r.op(), r.scope(), null, section, r.flags(), r.client(), r.user());
    }

    private static XmlNode need(CibRequest r) throws CibError {
        if (r.data() == null) {
            throw new CibError(CibError.USAGE, "Invalid argument", r.op().name().toLowerCase() + " needs XML data");
        }
        return r.data();
    }

    /** Follows {@code cib_process_create()}: add under the section; "File exists" if it is there. */
    static Result create(XmlNode root, CibRequest r) throws CibError {
        XmlNode input = need(r);
        String scope = checkScope(r.scope());
        if (r.xpath() != null) {
            List<int[]> m = CibXPath.select(root, r.xpath());
            if (m.isEmpty()) {
                throw CibError.noSuch("the XPath " + r.xpath() + " matches nothing");
            }
            return new Result(root.replaceAt(m.get(0), root.at(m.get(0)).plusChild(input)), false);
        }
        if (scope == null || input.is("cib")) {
            return modify(root, r);
        }
        int[] at = sectionOrCreate(root, scope);
        root = ensureSection(root, scope);
        at = sectionPath(root, scope);
        XmlNode section = root.at(at);
        boolean[] expanded = {false};
        List<XmlNode> objects = input.is(scope) ? input.children() : List.of(input);
        for (XmlNode obj : objects) {
            int existing = obj.id() == null ? indexOfName(section, obj.name()) : section.indexOf(obj.name(), obj.id());
            if (existing >= 0) {
                throw CibError.exists("<" + obj.name() + (obj.id() != null ? " id=\"" + obj.id() + "\"" : "")
                    + "> exists already in " + scope);
            }
            section = updateObject(section, obj, expanded);
        }
        return new Result(root.replaceAt(at, section), expanded[0]);
    }

    private static int[] sectionOrCreate(XmlNode root, String scope) {
        return sectionPath(root, scope);
    }

    private static int indexOfName(XmlNode parent, String name) {
        for (int i = 0; i < parent.children().size(); i++) {
            if (parent.children().get(i).is(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Follows {@code update_cib_object()}: find (by name and id) or create the child, merge into it. */
    private static XmlNode updateObject(XmlNode parent, XmlNode update, boolean[] expanded) {
        int at = update.id() == null ? indexOfName(parent, update.name()) : parent.indexOf(update.name(), update.id());
        XmlNode target = at >= 0 ? parent.children().get(at) : XmlNode.of(update.name());
        String replace = update.attribute("__replace__");
        if (replace != null) {
            for (String item : replace.split(",")) {
                int victim = item.isEmpty() ? -1 : indexOfName(target, item);
                if (victim >= 0) {
                    target = target.minusChild(victim);
                }
            }
            update = update.without("__replace__");
            target = target.without("__replace__");
        }
        target = copyProperties(target, update, expanded);
        for (XmlNode c : update.children()) {
            target = updateObject(target, c, expanded);
        }
        return at >= 0 ? parent.withChild(at, target) : parent.plusChild(target);
    }

    /**
     * Follows {@code cib_process_modify()}: merge {@code data} into the first element with its name and id in the
     * section (created if missing), creating it under the section with {@code CAN_CREATE}; then, with
     * {@code MIXED_UPDATE}, drop every element marked {@code __delete__} (attrd's unset values).
     */
    static Result modify(XmlNode root, CibRequest r) throws CibError {
        XmlNode input = need(r);
        boolean[] expanded = {false};
        if (r.xpath() != null) {
            List<int[]> matches = CibXPath.select(root, r.xpath());
            if (matches.isEmpty()) {
                throw CibError.noSuch("the XPath " + r.xpath() + " matches nothing");
            }
            XmlNode out = root;
            for (int[] m : matches) {
                int[] target = findUpdatable(out.at(m), input);
                if (target == null) {
                    throw CibError.noSuch("no <" + input.name() + (input.id() != null ? " id=\"" + input.id() + "\""
                        : "") + "> at " + r.xpath());
                }
                int[] full = concat(m, target);
                out = out.replaceAt(full, merge(out.at(full), input, expanded));
                if (!r.has(CibRequest.Flag.ALL_MATCHES)) {
                    break;
                }
            }
            return new Result(out, expanded[0]);   // cib_process_xpath(): no __delete__ handling
        }
        String scope = checkScope(r.scope());
        boolean mixed = r.has(CibRequest.Flag.MIXED_UPDATE);
        if (scope == null && input.is("cib")) {
            // the whole CIB merged into itself: attributes of <cib> and everything below
            return new Result(dropDeleted(merge(root, input, expanded), mixed), expanded[0]);
        }
        root = ensureSection(root, scope);
        int[] at = sectionPath(root, scope);
        XmlNode section = root.at(at);
        int[] target = findUpdatable(section, input);
        if (target == null) {
            if (!r.has(CibRequest.Flag.CAN_CREATE)) {
                throw CibError.noSuch("no <" + input.name() + (input.id() != null ? " id=\"" + input.id() + "\"" : "")
                    + "> in " + (scope == null ? "the CIB" : scope) + " (cibadmin -c creates it)");
            }
            section = section.plusChild(fixPlusPlus(input, expanded));
            return new Result(dropDeleted(root.replaceAt(at, section), mixed), expanded[0]);
        }
        int[] full = concat(at, target);
        return new Result(dropDeleted(root.replaceAt(full, merge(root.at(full), input, expanded)), mixed),
            expanded[0]);
    }

    /** A missing section is created under its parent, as {@code cib_process_modify()} does. */
    private static XmlNode ensureSection(XmlNode root, String scope) throws CibError {
        if (scope == null || sectionPath(root, scope) != null) {
            return root;
        }
        List<String> names = SECTIONS.get(scope);
        XmlNode out = root;
        int[] at = new int[0];
        for (String name : names) {
            XmlNode n = out.at(at);
            int k = indexOfName(n, name);
            if (k < 0) {
                out = out.replaceAt(at, n.plusChild(XmlNode.of(name)));
                k = n.children().size();
            }
            at = Arrays.copyOf(at, at.length + 1);
            at[at.length - 1] = k;
        }
        return out;
    }

    /** Follows {@code update_xml_child()}: the first element (depth first, from {@code n}) with the update's name and id. */
    static int[] findUpdatable(XmlNode n, XmlNode update) {
        if (n.name().equals(update.name()) && java.util.Objects.equals(n.id(), update.id())) {
            return new int[0];
        }
        for (int i = 0; i < n.children().size(); i++) {
            int[] sub = findUpdatable(n.children().get(i), update);
            if (sub != null) {
                int[] out = new int[sub.length + 1];
                out[0] = i;
                System.arraycopy(sub, 0, out, 1, sub.length);
                return out;
            }
        }
        return null;
    }

    /**
     * Follows {@code pcmk__xml_update()}: the update's attributes copied in (with {@code value++} expanded), each of
     * its children merged into the child with the same name and id (or {@code id-ref}), created when missing.
     */
    static XmlNode merge(XmlNode target, XmlNode update, boolean[] expanded) {
        XmlNode out = copyProperties(target, update, expanded);
        for (XmlNode c : update.children()) {
            int at = matchChild(out, c);
            if (at < 0) {
                out = out.plusChild(merge(XmlNode.of(c.name()), c, expanded));
            } else {
                out = out.withChild(at, merge(out.children().get(at), c, expanded));
            }
        }
        return out;
    }

    private static int matchChild(XmlNode parent, XmlNode c) {
        String key = c.id() != null ? "id" : c.attribute("id-ref") != null ? "id-ref" : null;
        String value = key == null ? null : c.attribute(key);
        for (int i = 0; i < parent.children().size(); i++) {
            XmlNode k = parent.children().get(i);
            if (k.name().equals(c.name()) && (key == null || value.equals(k.attribute(key)))) {
                return i;
            }
        }
        return -1;
    }

    /** Follows {@code copy_in_properties()} with {@code expand_plus_plus()}. */
    static XmlNode copyProperties(XmlNode target, XmlNode src, boolean[] expanded) {
        XmlNode out = target;
        for (int i = 0; i < src.attributeCount(); i++) {
            String name = src.attributeName(i);
            String value = src.attributeValue(i);
            String expandedValue = expandPlusPlus(out.attribute(name), name, value);
            if (expandedValue != null) {
                expanded[0] = true;
                value = expandedValue;
            }
            out = out.with(name, value);
        }
        return out;
    }

    /** Expands {@code value++}-style values of a new element against nothing (Pacemaker's fix_plus_plus). */
    private static XmlNode fixPlusPlus(XmlNode n, boolean[] expanded) {
        return merge(XmlNode.of(n.name()), n, expanded);
    }

    /**
     * Follows {@code expand_plus_plus()}: {@code NAME++} or {@code NAME+=N} applied to the old value (capped at
     * INFINITY = 1000000); null when the value is not such an expression or there is no old value.
     */
    static String expandPlusPlus(String old, String name, String value) {
        if (old == null || !value.startsWith(name) || value.length() < name.length() + 2) {
            return null;
        }
        char a = value.charAt(name.length());
        char b = value.charAt(name.length() + 1);
        if (a != '+' || (b != '+' && b != '=')) {
            return null;
        }
        long v = score(old);
        long offset = b == '+' ? 1 : score(value.substring(name.length() + 2));
        // expand_plus_plus() caps the sum at INFINITY only
        return Long.toString(Math.min(1_000_000, v + offset));
    }

    /**
     * Pacemaker's {@code char2score()}: {@code INFINITY}, {@code +INFINITY} and {@code -INFINITY} exactly
     * (case-sensitive), the health colours {@code red}, {@code yellow} and {@code green} (0 outside the scheduler),
     * else {@code strtoll()}'s leading integer (leading white space skipped; 0 without digits or on overflow),
     * clamped to [-INFINITY, INFINITY].
     */
    static long score(String s) {
        if (s.equals("-INFINITY")) {
            return -1_000_000;
        }
        if (s.equals("INFINITY") || s.equals("+INFINITY")) {
            return 1_000_000;
        }
        if (s.equalsIgnoreCase("red") || s.equalsIgnoreCase("yellow") || s.equalsIgnoreCase("green")) {
            return 0;
        }
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || (s.charAt(i) >= '\t' && s.charAt(i) <= '\r'))) {
            i++;
        }
        int start = i;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        int digits = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == digits) {
            return 0;
        }
        try {
            return Math.max(-1_000_000, Math.min(1_000_000, Long.parseLong(s.substring(start, i))));
        } catch (NumberFormatException e) {
            return 0;   // out of range: strtoll() reports ERANGE and pcmk__scan_ll() falls back to 0
        }
    }

    /** With {@code mixed} ({@code cib_mixed_update}), every element carrying {@code __delete__} removed. */
    private static XmlNode dropDeleted(XmlNode n, boolean mixed) {
        return mixed ? dropDeleted(n) : n;
    }

    private static XmlNode dropDeleted(XmlNode n) {
        boolean any = false;
        for (XmlNode c : n.children()) {
            if (c.attribute("__delete__") != null || c != dropDeleted(c)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return n;
        }
        List<XmlNode> kept = new ArrayList<>();
        for (XmlNode c : n.children()) {
            if (c.attribute("__delete__") == null) {
                kept.add(dropDeleted(c));
            }
        }
        return n.withChildren(kept);
    }

    /**
     * Follows {@code cib_process_delete()}: removes the first element under the section with the input's name, id
     * and every attribute it gives (each child's, when the input is the section itself); by XPath, the first match
     * or all. Something absent is not an error.
     */
    static XmlNode delete(XmlNode root, CibRequest r) throws CibError {
        if (r.xpath() != null) {
            List<int[]> matches = CibXPath.select(root, r.xpath());
            if (matches.isEmpty()) {
                return root;   // deleting what is not there is not an error
            }
            List<int[]> victims = r.has(CibRequest.Flag.ALL_MATCHES) ? new ArrayList<>(matches)
                : new ArrayList<>(List.of(matches.get(0)));
            // last in document order first, so the paths still to come stay valid
            victims.sort(CibOps::compareReverseDocumentOrder);
            XmlNode out = root;
            for (int[] m : victims) {
                if (m.length == 0) {
                    throw new CibError(CibError.USAGE, "Invalid argument", "the XPath " + r.xpath()
                        + " addresses the whole /cib, which cannot be deleted");
                }
                if (out.at(m) == null) {
                    continue;   // inside something already deleted
                }
                int[] parent = Arrays.copyOf(m, m.length - 1);
                out = out.replaceAt(parent, out.at(parent).minusChild(m[m.length - 1]));
            }
            return out;
        }
        XmlNode input = need(r);
        String scope = checkScope(r.scope());
        int[] at = sectionPath(root, scope);
        if (at == null) {
            return root;
        }
        List<XmlNode> victims = input.is(scope == null ? "cib" : scope) ? input.children() : List.of(input);
        XmlNode out = root;
        for (XmlNode v : victims) {
            int[] hit = findDeletable(out.at(at), v, true);
            if (hit != null) {
                int[] full = concat(at, hit);
                int[] parent = Arrays.copyOf(full, full.length - 1);
                out = out.replaceAt(parent, out.at(parent).minusChild(full[full.length - 1]));
            }
        }
        return out;
    }

    private static int compareReverseDocumentOrder(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return Integer.compare(b[i], a[i]);
            }
        }
        return Integer.compare(b.length, a.length);
    }

    /**
     * Follows {@code replace_xml_child()}: the first descendant (never {@code n} itself) with the update's name and
     * id (any id when the update has none) and, for a delete, every attribute the update gives (case-insensitive).
     */
    static int[] findDeletable(XmlNode n, XmlNode update, boolean root) {
        if (!root && n.name().equalsIgnoreCase(update.name())
            && (update.id() == null || update.id().equals(n.id()))) {
            boolean all = true;
            for (int i = 0; i < update.attributeCount(); i++) {
                String mine = n.attribute(update.attributeName(i));
                if (mine == null || !mine.equalsIgnoreCase(update.attributeValue(i))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return new int[0];
            }
        }
        for (int i = 0; i < n.children().size(); i++) {
            int[] sub = findDeletable(n.children().get(i), update, false);
            if (sub != null) {
                return concat(new int[] {i}, sub);
            }
        }
        return null;
    }

    private static int[] findReplaceable(XmlNode n, XmlNode update, boolean root) {
        if (!root && n.name().equalsIgnoreCase(update.name())
            && (update.id() == null || update.id().equals(n.id()))) {
            return new int[0];
        }
        for (int i = 0; i < n.children().size(); i++) {
            int[] sub = findReplaceable(n.children().get(i), update, false);
            if (sub != null) {
                return concat(new int[] {i}, sub);
            }
        }
        return null;
    }

    /**
     * Follows {@code cib_process_replace()}: the whole CIB (refused if older: "Update was older than existing
     * configuration"), or the first element under the section with the input's name and id.
     */
    static XmlNode replace(XmlNode root, CibRequest r) throws CibError {
        XmlNode input = need(r);
        if (r.xpath() != null) {
            List<int[]> matches = CibXPath.select(root, r.xpath());
            if (matches.isEmpty()) {
                throw CibError.noSuch("the XPath " + r.xpath() + " matches nothing");
            }
            int[] m = matches.get(0);
            if (m.length == 0) {
                return input;
            }
            int[] parent = Arrays.copyOf(m, m.length - 1);
            XmlNode p = root.at(parent).minusChild(m[m.length - 1]).plusChild(input);
            return root.replaceAt(parent, p);
        }
        String scope = checkScope(r.scope());
        if (scope != null && input.name().equalsIgnoreCase(scope)) {
            scope = null;
        }
        if (input.is("cib")) {
            CibVersion current = CibVersion.of(root);
            CibVersion replacement = CibVersion.of(input);
            if (replacement.compareTo(current) < 0) {
                throw CibError.old("the replacement is version " + replacement + ", the CIB is at " + current);
            }
            return input;
        }
        int[] at = sectionPath(root, scope);
        int[] hit = at == null ? null : findReplaceable(root.at(at), input, true);
        if (hit == null) {
            throw CibError.noSuch("no <" + input.name() + (input.id() != null ? " id=\"" + input.id() + "\"" : "")
                + "> to replace in " + (scope == null ? "the CIB" : scope));
        }
        return root.replaceAt(concat(at, hit), input);
    }

    /** Follows {@code cib_process_erase()}: an empty CIB with the old root's attributes and admin_epoch + 1. */
    static XmlNode erase(XmlNode root, CibRequest r) throws CibError {
        if (!r.has(CibRequest.Flag.FORCE)) {
            throw new CibError(CibError.UNSAFE, "Operation not safe",
                "erasing the CIB deletes the whole configuration; add --force to do it");
        }
        XmlNode out = empty(root.attribute("validate-with", "pacemaker-3.9"));
        for (int i = 0; i < root.attributeCount(); i++) {
            out = out.with(root.attributeName(i), root.attributeValue(i));
        }
        return out.with("admin_epoch", Long.toString(CibVersion.of(root).adminEpoch() + 1));
    }

    /** An empty CIB: the sections Pacemaker's {@code createEmptyCib()} makes, version 0.0.0. */
    public static XmlNode empty(String validateWith) {
        XmlNode conf = XmlNode.of("configuration").withChildren(List.of(XmlNode.of("crm_config"),
            XmlNode.of("nodes"), XmlNode.of("resources"), XmlNode.of("constraints")));
        return XmlNode.of("cib", "crm_feature_set", "3.16.1", "validate-with", validateWith, "epoch", "0",
            "num_updates", "0", "admin_epoch", "0").withChildren(List.of(conf, XmlNode.of("status")));
    }

    /**
     * The version after a change, by {@code xml_create_patchset()}'s rule: anything under {@code <configuration>}
     * changed: {@code epoch + 1}, {@code num_updates = 0}; else {@code num_updates + 1}. {@code after} carries the
     * counters the operation itself set (a bump, an erase, a replacement's own).
     */
    public static CibVersion nextVersion(XmlNode before, XmlNode after) {
        CibVersion v = CibVersion.of(after);
        if (!java.util.Objects.equals(before.firstChild("configuration"), after.firstChild("configuration"))) {
            return new CibVersion(v.adminEpoch(), v.epoch() + 1, 0);
        }
        return new CibVersion(v.adminEpoch(), v.epoch(), v.numUpdates() + 1);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
