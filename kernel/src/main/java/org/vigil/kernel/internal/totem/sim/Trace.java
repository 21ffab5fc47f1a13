package org.vigil.kernel.internal.totem.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's trace: the last {@code capacity} lines (all of them when unbounded), each prefixed with the
 * virtual time. Categories decide what is recorded.
 */
public final class Trace {

    /** What a line is about. */
    public enum Category { FAULT, STATE, CONFIG, DELIVER, SUBMIT, PACKET, NOTE }

    private final int capacity;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final boolean[] enabled = new boolean[Category.values().length];
    private long dropped;

    /** @param capacity lines kept (older ones are dropped); 0 for unbounded */
    public Trace(int capacity, Category... categories) {
        this.capacity = capacity;
        for (Category c : categories) {
            enabled[c.ordinal()] = true;
        }
    }

    public boolean on(Category c) {
        return enabled[c.ordinal()];
    }

    public void enable(Category c, boolean on) {
        enabled[c.ordinal()] = on;
    }

    void add(long micros, Category c, String text) {
        if (!enabled[c.ordinal()]) {
            return;
        }
        if (capacity > 0 && lines.size() == capacity) {
            lines.poll();
            dropped++;
        }
        lines.add(time(micros) + " " + text);
    }

    /** Virtual time as milliseconds with microsecond decimals, e.g. {@code 3650.125}. */
    public static String time(long micros) {
        return String.format("%d.%03d", micros / 1000, micros % 1000);
    }

    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** The kept lines, with a note of how many earlier ones were dropped. */
    public String dump() {
        StringBuilder sb = new StringBuilder();
        if (dropped > 0) {
            sb.append("... (").append(dropped).append(" earlier lines not kept)\n");
        }
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    public void clear() {
        lines.clear();
        dropped = 0;
    }
}
