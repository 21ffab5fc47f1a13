package org.vigil.crm.internal.scheduler.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ticket (multi-site token) with its state from the CIB status.
 *
 * <p>Follows {@code pe_ticket_t} (include/crm/pengine/pe_types.h).
 */
public final class Ticket {

    public final String id;
    public boolean granted;
    public long lastGranted = -1;
    public boolean standby;
    public final Map<String, String> state = new LinkedHashMap<>();

    public Ticket(String id) {
        this.id = id;
    }
}
