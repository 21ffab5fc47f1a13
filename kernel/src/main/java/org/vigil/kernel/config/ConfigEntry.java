package org.vigil.kernel.config;

/**
 * One {@code key: value} line of a configuration file, with the full dotted cmap key it becomes
 * (for example {@code totem.interface.0.member.1} or {@code nodelist.node.2.ring0_addr}).
 *
 * @param key   full key name
 * @param value the value text, verbatim (corosync has no quoting or escaping)
 * @param file  file it came from
 * @param line  1-based line number
 */
public record ConfigEntry(String key, String value, String file, int line) {
}
