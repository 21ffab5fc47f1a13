package org.vigil.crm.internal.tools;

import java.time.ZoneId;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.MonitorText;

final class MonitorXml {
    MonitorXml(MonitorText.Options options, ZoneId zone, boolean legacy, String request) {
    }

    String print(WorkingSet ws, long now) {
        throw new UnsupportedOperationException();
    }
}
