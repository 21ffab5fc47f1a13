package org.vigil.crm.api.fencer;

import java.util.Locale;

/** What fencing does to its target: the three actions of Pacemaker's {@code st_fence} request. */
public enum FenceAction {
    /** Power the target off and on again (Pacemaker's default {@code stonith-action}). */
    REBOOT,
    /** Power the target off. */
    OFF,
    /** Power the target on (unfencing). */
    ON;

    /** The name agents and Pacemaker's tools use: {@code reboot}, {@code off}, {@code on}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The action named {@code name} (any case).
     *
     * @throws IllegalArgumentException for any other name, naming it
     */
    public static FenceAction of(String name) {
        if (name != null) {
            for (FenceAction a : values()) {
                if (a.wireName().equalsIgnoreCase(name.strip())) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("unknown fencing action '" + name + "' (reboot, off or on)");
    }
}
