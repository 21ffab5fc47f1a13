package org.vigil.crm.api.exec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pacemaker's operation digest ({@code op-digest} in the status section): the MD5 of the operation's parameters,
 * filtered and sorted, so that the scheduler, recomputing it from the configuration, finds the resources whose
 * definition changed. The executor records it with each result; both must compute it alike, so both use this.
 *
 * <p>Follows {@code pcmk__filter_op_for_digest()} (lib/common/operations.c) and
 * {@code calculate_operation_digest()} (lib/common/digest.c). Thread-safe (stateless).
 */
public final class OpDigest {

    private OpDigest() {
    }

    /** The digest of an operation's attributes (instance parameters and {@code CRM_meta_*}). */
    public static String of(Map<String, String> attributes) {
        return md5(serialize(filter(attributes)));
    }

    /**
     * The attributes that count: no {@code CRM_meta_*} (but {@code CRM_meta_timeout} for a recurring operation),
     * no {@code id}, {@code crm_feature_set}, {@code op-digest}, {@code on_node}, {@code on_node_uuid},
     * {@code pcmk_external_ip}. Follows {@code pcmk__filter_op_for_digest()}.
     */
    public static Map<String, String> filter(Map<String, String> attributes) {
        Map<String, String> out = new TreeMap<>(attributes);
        long interval = 0;
        String iv = attributes.get("CRM_meta_interval");
        if (iv != null) {
            interval = leadingLong(iv);
        }
        String timeout = interval != 0 ? attributes.get("CRM_meta_timeout") : null;
        out.keySet().removeIf(n -> n.startsWith("CRM_meta_") || n.equals("id") || n.equals("crm_feature_set")
            || n.equals("op-digest") || n.equals("on_node") || n.equals("on_node_uuid")
            || n.equals("pcmk_external_ip"));
        if (timeout != null) {
            out.put("CRM_meta_timeout", timeout);
        }
        return out;
    }

    private static long leadingLong(String s) {
        String t = s.strip();
        int end = 0;
        if (end < t.length() && (t.charAt(end) == '-' || t.charAt(end) == '+')) {
            end++;
        }
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(t.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code " <parameters a="v" .../>\n"} with the names sorted, as Pacemaker hashes it. */
    public static String serialize(Map<String, String> params) {
        List<String> names = new ArrayList<>(params.keySet());
        names.sort(null);
        StringBuilder sb = new StringBuilder(" <parameters");
        for (String n : names) {
            sb.append(' ').append(n).append("=\"");
            escape(sb, params.get(n));
            sb.append('"');
        }
        sb.append("/>\n");
        return sb.toString();
    }

    /** Pacemaker's {@code crm_xml_escape()} as its digest sees it (it stops at the first multi-byte character). */
    private static void escape(StringBuilder sb, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if ((b[i] & 0x80) != 0 && i + 1 < b.length && (b[i + 1] & 0x80) != 0) {
                sb.append(new String(b, i, b.length - i, StandardCharsets.UTF_8));
                return;
            }
            char c = (char) (b[i] & 0xff);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                case '&' -> sb.append("&amp;");
                case '\t' -> sb.append("    ");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (b[i] < ' ' || b[i] > '~') {
                        sb.append('\\').append(String.format("%03o", b[i] < 0 ? (b[i] & 0xffffffffL) : b[i]));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /** Hex MD5 of a string. */
    public static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
