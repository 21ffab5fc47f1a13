package org.vigil.crm.internal.cib;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rule evaluation and nvpair-block unpacking with Pacemaker 2.1.5's semantics: {@code <rule>} with
 * {@code boolean-op} and/or, node attribute expressions (string, integer, number, version comparisons,
 * defined/not_defined, value-source param/meta, %N submatches), date expressions (in_range with duration, gt, lt,
 * date_spec), #role, rsc_expression and op_expression; nvpair blocks sorted by score, the first block winning
 * unless {@code overwrite}. Stateless apart from the id index used to resolve {@code id-ref}s; thread-safe once
 * built.
 *
 * <p>Follows lib/pengine/rules.c.
 */
public final class Rules {

    private final IdIndex index;

    private long nextChange;

    public Rules(IdIndex index) {
        this.index = index;
    }

    public IdIndex index() {
        return index;
    }

    /**
     * {@code expand_idref}: the element an {@code id-ref} points at (same element name), or the element. Follows
     * {@code expand_idref()} in lib/common/xml.c.
     *
     * <p>Follows {@code expand_idref()} in lib/common/xml.c.
     */
    public XmlElement expand(XmlElement e) {
        if (e == null) {
            return null;
        }
        String ref = e.get("id-ref");
        if (ref == null) {
            return e;
        }
        return index.unique(e.name(), ref);
    }

    /**
     * {@code pe_eval_rules}: true when there are no rules or any rule passes. Follows {@code pe_eval_rules()} in
     * lib/pengine/rules.c.
     */
    public boolean evalRules(XmlElement ruleset, RuleContext ctx) {
        if (ruleset == null) {
            return true;
        }
        boolean dflt = true;
        for (XmlElement rule : ruleset.kids()) {
            if (!rule.is("rule")) {
                continue;
            }
            dflt = false;
            if (evalExpr(rule, ctx)) {
                return true;
            }
        }
        return dflt;
    }

    /**
     * {@code pe_eval_expr}: one rule with and/or over its sub-expressions. Follows {@code pe_eval_expr()} in
     * lib/pengine/rules.c.
     */
    public boolean evalExpr(XmlElement rule, RuleContext ctx) {
        rule = expand(rule);
        if (rule == null) {
            return false;
        }
        boolean doAnd = !"or".equalsIgnoreCase(rule.get("boolean-op"));
        boolean passed = doAnd;
        for (XmlElement expr : rule.kids()) {
            boolean test = evalSubexpr(expr, ctx);
            if (test && !doAnd) {
                return true;
            } else if (!test && doAnd) {
                return false;
            }
        }
        return passed;
    }

    /** Follows {@code pe_eval_subexpr()} in lib/pengine/rules.c. */
    public boolean evalSubexpr(XmlElement expr, RuleContext ctx) {
        switch (expr.name()) {
            case "rule":
                return evalExpr(expr, ctx);
            case "date_expression": {
                int rc = evalDate(expr, ctx.now(), this::noteNextChange);
                return rc == WITHIN || rc == OK;
            }
            case "rsc_expression":
                return evalRsc(expr, ctx);
            case "op_expression":
                return evalOp(expr, ctx);
            case "expression": {
                String attr = expr.get("attribute");
                if ("#role".equals(attr)) {
                    return evalRole(expr, ctx);
                }
                if (ctx.nodeAttrs() == null) {
                    return false;
                }
                return evalAttr(expr, ctx);
            }
            default:
                return false;
        }
    }

    private static boolean evalRole(XmlElement expr, RuleContext ctx) {
        Role r = ctx.role();
        if (r == Role.UNKNOWN) {
            return false;
        }
        String value = expr.get("value");
        String op = expr.get("operation");
        if ("defined".equalsIgnoreCase(op)) {
            return r.gt(Role.STARTED);
        } else if ("not_defined".equalsIgnoreCase(op)) {
            return r.gt(Role.UNKNOWN) && r.lt(Role.UNPROMOTED);
        } else if ("eq".equalsIgnoreCase(op)) {
            return value != null && Role.parse(value) == r;
        } else if ("ne".equalsIgnoreCase(op)) {
            if (r.gt(Role.UNKNOWN) && r.lt(Role.UNPROMOTED)) {
                return false;
            }
            return value == null || Role.parse(value) != r;
        }
        return false;
    }

    private static boolean evalRsc(XmlElement expr, RuleContext ctx) {
        if (!ctx.hasRscData()) {
            return false;
        }
        String cls = expr.get("class");
        String prov = expr.get("provider");
        String type = expr.get("type");
        if (cls != null && !cls.equals(ctx.standard())) {
            return false;
        }
        if ((prov == null) != (ctx.provider() == null)) {
            return false;
        }
        if (prov != null && !prov.equals(ctx.provider())) {
            return false;
        }
        return type == null || type.equals(ctx.agent());
    }

    private static boolean evalOp(XmlElement expr, RuleContext ctx) {
        if (!ctx.hasOpData()) {
            return false;
        }
        String name = expr.get("name");
        String intervalS = expr.get("interval");
        if (intervalS != null && Util.parseInterval(intervalS) != ctx.opInterval()) {
            return false;
        }
        return name != null && name.equals(ctx.opName());
    }

    private static String expandRegex(String s, String[] groups) {
        if (s == null || s.isEmpty() || groups == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        boolean changed = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                int g = s.charAt(i + 1) - '0';
                if (g < groups.length && groups[g] != null && !groups[g].isEmpty()) {
                    sb.append(groups[g]);
                    changed = true;
                }
                i++;
            } else {
                sb.append(c);
            }
        }
        return changed || sb.length() != s.length() ? sb.toString() : s;
    }

    private boolean evalAttr(XmlElement expr, RuleContext ctx) {
        String attr = expr.get("attribute");
        String op = expr.get("operation");
        String value = expr.get("value");
        String type = expr.get("type");
        String source = expr.get("value-source");
        if (attr == null) {
            return false;
        }
        if (ctx.hasMatchData()) {
            if (ctx.reGroups() != null) {
                String resolved = expandRegex(attr, ctx.reGroups());
                if (resolved != null) {
                    attr = resolved;
                }
            }
            if (value == null || value.isEmpty()) {
                value = null;
            } else if ("param".equalsIgnoreCase(source)) {
                value = ctx.params() == null ? null : ctx.params().get(value);
            } else if ("meta".equalsIgnoreCase(source)) {
                value = ctx.meta() == null ? null : ctx.meta().get(value);
            }
        }
        String hVal = ctx.nodeAttrs() == null ? null : ctx.nodeAttrs().get(attr);
        return acceptAttr(hVal, value, type, op);
    }

    static boolean acceptAttr(String l, String r, String type, String op) {
        if ("defined".equalsIgnoreCase(op)) {
            return l != null;
        } else if ("not_defined".equalsIgnoreCase(op)) {
            return l == null;
        }
        int cmp = compareValues(l, r, type, op);
        if ("eq".equalsIgnoreCase(op)) {
            return cmp == 0;
        } else if ("ne".equalsIgnoreCase(op)) {
            return cmp != 0;
        } else if (l == null || r == null) {
            return false;
        } else if ("lt".equalsIgnoreCase(op)) {
            return cmp < 0;
        } else if ("lte".equalsIgnoreCase(op)) {
            return cmp <= 0;
        } else if ("gt".equalsIgnoreCase(op)) {
            return cmp > 0;
        } else if ("gte".equalsIgnoreCase(op)) {
            return cmp >= 0;
        }
        return false;
    }

    private static int compareValues(String l, String r, String type, String op) {
        if (l != null && r != null) {
            if (type == null) {
                if ("lt".equalsIgnoreCase(op) || "lte".equalsIgnoreCase(op) || "gt".equalsIgnoreCase(op)
                    || "gte".equalsIgnoreCase(op)) {
                    type = (l.indexOf('.') >= 0 || r.indexOf('.') >= 0) ? "number" : "integer";
                } else {
                    type = "string";
                }
            }
            if ("string".equalsIgnoreCase(type)) {
                return Integer.signum(Util.strcasecmp(l, r));
            } else if ("integer".equalsIgnoreCase(type)) {
                Long a = parseLongStrict(l);
                Long b = parseLongStrict(r);
                if (a != null && b != null) {
                    return Long.compare(a, b);
                }
                return compareValues(l, r, "string", op);
            } else if ("number".equalsIgnoreCase(type)) {
                Double a = parseDouble(l);
                Double b = parseDouble(r);
                if (a != null && b != null) {
                    return Double.compare(a, b) < 0 ? -1 : (a.doubleValue() == b.doubleValue() ? 0 : 1);
                }
                return compareValues(l, r, "string", op);
            } else if ("version".equalsIgnoreCase(type)) {
                return compareVersion(l, r);
            }
            return 0;
        } else if (l == null && r == null) {
            return 0;
        } else if (r == null) {
            return 1;
        }
        return -1;
    }

    private static Long parseLongStrict(String s) {
        long v = Score.parseLeadingLong(s, Long.MIN_VALUE);
        if (v == Long.MIN_VALUE && !s.trim().startsWith("-9223372036854775808")) {
            return null;
        }
        return v;
    }

    private static Double parseDouble(String s) {
        try {
            String t = s.trim();
            int i = 0;
            if (i < t.length() && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
                i++;
            }
            if (i == start) {
                return null;
            }
            return Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Pacemaker's {@code compare_version}: dot-separated numeric components. Follows {@code compare_version()} in
     * lib/common/utils.c.
     */
    public static int compareVersion(String a, String b) {
        if (a == null && b == null) {
            return 0;
        } else if (a == null) {
            return -1;
        } else if (b == null) {
            return 1;
        }
        String[] pa = a.split("\\.");
        String[] pb = b.split("\\.");
        int n = Math.max(pa.length, pb.length);
        for (int i = 0; i < n; i++) {
            long x = i < pa.length ? Score.parseLeadingLong(pa[i], 0) : -1;
            long y = i < pb.length ? Score.parseLeadingLong(pb[i], 0) : -1;
            if (i >= pa.length) {
                return -1;
            }
            if (i >= pb.length) {
                return 1;
            }
            if (x < y) {
                return -1;
            } else if (x > y) {
                return 1;
            }
        }
        return 0;
    }

    public static final int UNDETERMINED = 0;
    public static final int WITHIN = 1;
    public static final int BEFORE = 2;
    public static final int AFTER = 3;
    public static final int OK = 4;

    /**
     * The earliest epoch second at which a date expression evaluated so far changes its result (0: none); the
     * scheduler's recheck time. Pacemaker's {@code next_change}.
     */
    public long nextChange() {
        return nextChange;
    }

    /** Follows {@code crm_time_set_if_earlier()} in lib/pengine/rules.c. */
    private void noteNextChange(long epochSecond) {
        if (nextChange == 0 || epochSecond < nextChange) {
            nextChange = epochSecond;
        }
    }

    /** {@code pe__eval_date_expr}. Follows {@code pe__eval_date_expr()} in lib/pengine/rules.c. */
    public static int evalDate(XmlElement expr, CrmTime now) {
        return evalDate(expr, now, t -> { });
    }

    /**
     * Evaluates a date expression, telling {@code nextChange} when its result will change (for {@code in_range},
     * {@code gt} and {@code lt}; {@code date_spec} gives none, as in Pacemaker).
     */
    public static int evalDate(XmlElement expr, CrmTime now, java.util.function.LongConsumer nextChange) {
        String op = expr.get("operation");
        XmlElement durationSpec = expr.firstChild("duration");
        XmlElement dateSpec = expr.firstChild("date_spec");
        CrmTime start = expr.has("start") ? CrmTime.parse(expr.get("start"), now) : null;
        CrmTime end = expr.has("end") ? CrmTime.parse(expr.get("end"), now) : null;
        if (start != null && end == null && durationSpec != null) {
            end = start.plus(field(durationSpec, "years"), field(durationSpec, "months"),
                field(durationSpec, "weeks"), field(durationSpec, "days"), field(durationSpec, "hours"),
                field(durationSpec, "minutes"), field(durationSpec, "seconds"));
        }
        if (op == null || "in_range".equalsIgnoreCase(op)) {
            if (start == null && end == null) {
                return UNDETERMINED;
            } else if (start != null && now.compareTo(start) < 0) {
                nextChange.accept(start.epochSecond());
                return BEFORE;
            } else if (end != null && now.compareTo(end) > 0) {
                return AFTER;
            }
            if (end != null) {
                // the result does not change until the second after the end
                nextChange.accept(end.epochSecond() + 1);
            }
            return WITHIN;
        } else if ("date_spec".equalsIgnoreCase(op)) {
            return cronSatisfied(now, dateSpec);
        } else if ("gt".equalsIgnoreCase(op)) {
            if (start == null) {
                return UNDETERMINED;
            }
            if (now.compareTo(start) > 0) {
                return WITHIN;
            }
            nextChange.accept(start.epochSecond() + 1);
            return BEFORE;
        } else if ("lt".equalsIgnoreCase(op)) {
            if (end == null) {
                return UNDETERMINED;
            }
            if (now.compareTo(end) < 0) {
                nextChange.accept(end.epochSecond());
                return WITHIN;
            }
            return AFTER;
        }
        return UNDETERMINED;
    }

    /** Follows {@code update_field()} in lib/pengine/rules.c. */
    private static int field(XmlElement e, String name) {
        long v = Score.parseLeadingLong(e.get(name), 0);
        if (v == 0 || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            return 0;
        }
        return (int) v;
    }

    /**
     * {@code pe_cron_range_satisfied}: OK when every given field contains the time's value. Follows {@code
     * pe_cron_range_satisfied()} in lib/pengine/rules.c.
     */
    public static int cronSatisfied(CrmTime now, XmlElement spec) {
        if (now == null) {
            return UNDETERMINED;
        }
        int[] values = {now.year(), now.month(), now.monthDay(), now.hour(), now.minute(), now.second(),
            now.yearDay(), now.weekYear(), now.week(), now.weekDay(), now.moonPhase()};
        String[] names = {"years", "months", "monthdays", "hours", "minutes", "seconds", "yeardays", "weekyears",
            "weeks", "weekdays", "moon"};
        for (int i = 0; i < names.length; i++) {
            int rc = checkOne(spec == null ? null : spec.get(names[i]), values[i]);
            if (rc != WITHIN && rc != UNDETERMINED) {
                return rc;
            }
        }
        return OK;
    }

    /** Follows {@code check_one()} in lib/pengine/rules.c. */
    private static int checkOne(String value, int field) {
        if (value == null) {
            return UNDETERMINED;
        }
        long low;
        long high;
        String v = value.trim();
        int dash = v.indexOf('-', 1);
        if (v.isEmpty()) {
            return UNDETERMINED;
        }
        if (v.startsWith("-")) {
            // "-N": no start
            low = -1;
            high = Score.parseLeadingLong(v.substring(1), -1);
            if (high < 0) {
                return UNDETERMINED;
            }
        } else if (dash > 0) {
            low = Score.parseLeadingLong(v.substring(0, dash), -1);
            String rest = v.substring(dash + 1);
            high = rest.isEmpty() ? -1 : Score.parseLeadingLong(rest, -1);
            if (low < 0) {
                return UNDETERMINED;
            }
        } else {
            low = Score.parseLeadingLong(v, Long.MIN_VALUE);
            if (low == Long.MIN_VALUE) {
                return UNDETERMINED;
            }
            high = low;
        }
        if (low == high) {
            return field < low ? BEFORE : (field > high ? AFTER : WITHIN);
        } else if (low != -1 && high != -1) {
            return field < low ? BEFORE : (field > high ? AFTER : WITHIN);
        } else if (low == -1) {
            return field <= high ? WITHIN : AFTER;
        } else {
            return field >= low ? WITHIN : BEFORE;
        }
    }

    // ---- nvpair blocks ----

    private record Block(int score, String name, XmlElement set) {
    }

    /**
     * {@code pe_eval_nvpairs}: unpacks the nvpair blocks named {@code setName} (all blocks when null) of
     * {@code xml} into {@code target}, highest score first, {@code alwaysFirst} before everything; a block applies
     * only when its rules pass. Without {@code overwrite}, a name keeps the first value it gets.
     *
     * <p>Follows {@code pe_eval_nvpairs()} in lib/pengine/rules.c.
     */
    public void unpackNvpairs(XmlElement xml, String setName, RuleContext ctx, Map<String, String> target,
                              String alwaysFirst, boolean overwrite) {
        if (xml == null) {
            return;
        }
        List<Block> blocks = new ArrayList<>();
        List<XmlElement> kids = xml.kids();
        for (int i = kids.size() - 1; i >= 0; i--) { // Pacemaker prepends, then stable-sorts
            XmlElement set = kids.get(i);
            if (setName != null && !set.is(setName)) {
                continue;
            }
            XmlElement expanded = expand(set);
            if (expanded == null) {
                continue;
            }
            blocks.add(new Block(Score.parse(expanded.get("score")), expanded.get("id"), expanded));
        }
        if (blocks.size() > 1) {
            blocks.sort((a, b) -> {
                if (alwaysFirst != null && alwaysFirst.equalsIgnoreCase(a.name())) {
                    return -1;
                } else if (alwaysFirst != null && alwaysFirst.equalsIgnoreCase(b.name())) {
                    return 1;
                }
                return Integer.compare(b.score(), a.score());
            });
        }
        for (Block b : blocks) {
            if (!evalRules(b.set(), ctx)) {
                continue;
            }
            populate(b.set(), target, overwrite);
        }
    }

    private void populate(XmlElement list, Map<String, String> hash, boolean overwrite) {
        if (!list.kids().isEmpty() && list.kids().get(0).is("attributes")) {
            list = list.kids().get(0);
        }
        for (XmlElement attr : list.kids()) {
            if (!attr.is("nvpair")) {
                continue;
            }
            XmlElement ref = expand(attr);
            String name = attr.get("name");
            if (name == null && ref != null) {
                name = ref.get("name");
            }
            String value = attr.get("value");
            if (value == null && ref != null) {
                value = ref.get("value");
            }
            if (name == null || value == null) {
                continue;
            }
            String old = hash.get(name);
            if ("#default".equalsIgnoreCase(value)) {
                if (old != null) {
                    hash.remove(name);
                }
            } else if (old == null) {
                hash.put(name, value);
            } else if (overwrite) {
                hash.put(name, value);
            }
        }
    }
}
