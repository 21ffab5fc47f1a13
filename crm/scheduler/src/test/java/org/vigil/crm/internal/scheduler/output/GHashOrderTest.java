package org.vigil.crm.internal.scheduler.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link GHashOrder#ofPacemakerStrkey}: the expected orders are what GLib 2.74 (Debian 12's libglib2.0-0) itself
 * iterated, a table made with {@code g_hash_table_new()} and Pacemaker's {@code pcmk__str_hash()} filled with the same
 * keys in the same order (through Python's ctypes), from 3 keys to 70 (the table grows at 8, 16, 32 and 64).
 */
class GHashOrderTest {

    @Test
    void ticketStateAttributesInPacemakersOrder() {
        // crm_ticket --details of a ticket with eight state attributes (seen from Pacemaker's crm_ticket too)
        assertEquals(List.of("granted", "a", "expires", "owner", "standby", "c", "b", "last-granted"),
            GHashOrder.ofPacemakerStrkey(List.of("granted", "last-granted", "expires", "owner", "standby", "a", "b",
                "c")));
        assertEquals(List.of("alpha", "beta", "gamma"), GHashOrder.ofPacemakerStrkey(List.of("gamma", "beta",
            "alpha")));
        assertEquals(List.of("zeta", "alpha", "mu"), GHashOrder.ofPacemakerStrkey(List.of("zeta", "alpha", "mu")));
    }

    @Test
    void growingTablesInGlibsOrder() {
        assertEquals(List.of("t0-f", "t1-c", "t2-g"),
            GHashOrder.ofPacemakerStrkey(List.of("t1-c", "t0-f", "t2-g")));
        assertEquals(List.of("t3-a", "t2-f", "t4-d", "t6-b", "t0-b", "t5-a", "t1-b"),
            GHashOrder.ofPacemakerStrkey(List.of("t2-f", "t5-a", "t4-d", "t1-b", "t0-b", "t6-b", "t3-a")));
        assertEquals(List.of("t0-a", "t7-a", "t1-b", "t3-a", "t6-d", "t4-g", "t5-a", "t2-d"),
            GHashOrder.ofPacemakerStrkey(List.of("t5-a", "t4-g", "t6-d", "t0-a", "t1-b", "t3-a", "t7-a", "t2-d")));
        assertEquals(List.of("t6-a", "t1-b", "t8-h", "t4-b", "t5-b", "t0-c", "t3-f", "t2-d", "t7-d"),
            GHashOrder.ofPacemakerStrkey(List.of("t0-c", "t5-b", "t1-b", "t4-b", "t3-f", "t2-d", "t7-d",
                "t6-a", "t8-h")));
        assertEquals(List.of("t14-c", "t4-e", "t1-c", "t6-f", "t9-b", "t3-b", "t13-f", "t10-b", "t0-d", "t12-c",
                "t5-h", "t7-h", "t2-d", "t11-g", "t8-e"),
            GHashOrder.ofPacemakerStrkey(List.of("t11-g", "t9-b", "t4-e", "t3-b", "t12-c", "t13-f", "t2-d",
                "t5-h", "t8-e", "t1-c",
                "t10-b", "t0-d", "t6-f", "t7-h", "t14-c")));
        assertEquals(List.of("t8-e", "t14-c", "t13-f", "t10-f", "t2-e", "t11-a", "t5-a", "t9-g", "t15-b", "t1-b",
                "t6-e", "t4-b", "t7-h", "t3-h", "t0-b", "t12-h"),
            GHashOrder.ofPacemakerStrkey(List.of("t11-a", "t10-f", "t5-a", "t1-b", "t14-c", "t9-g", "t7-h",
                "t8-e", "t6-e", "t13-f",
                "t2-e", "t4-b", "t12-h", "t3-h", "t0-b", "t15-b")));
        assertEquals(List.of("t10-c", "t11-c", "t5-f", "t1-c", "t16-c", "t14-a", "t8-c", "t12-d", "t13-d", "t2-g",
                "t6-g", "t4-g", "t7-d", "t9-b", "t3-e", "t0-e", "t15-h"),
            GHashOrder.ofPacemakerStrkey(List.of("t3-e", "t7-d", "t1-c", "t14-a", "t12-d", "t4-g", "t11-c",
                "t13-d", "t10-c", "t15-h",
                "t5-f", "t16-c", "t6-g", "t2-g", "t0-e", "t9-b", "t8-c")));
        assertEquals(List.of("t2-g", "t15-b", "t29-b", "t3-b", "t11-c", "t17-c", "t19-f", "t26-f", "t13-f", "t24-c",
                "t9-d", "t27-f", "t6-a", "t20-a", "t7-d", "t16-a", "t23-g", "t0-g", "t14-a", "t1-g",
                "t22-d", "t5-g", "t18-b", "t21-b", "t25-e", "t12-b", "t10-h", "t4-h", "t8-b", "t28-h"),
            GHashOrder.ofPacemakerStrkey(List.of("t26-f", "t1-g", "t6-a", "t7-d", "t11-c", "t23-g", "t12-b",
                "t21-b", "t19-f", "t17-c",
                "t13-f", "t22-d", "t16-a", "t18-b", "t20-a", "t0-g", "t5-g", "t24-c", "t8-b", "t10-h",
                "t29-b", "t4-h", "t2-g", "t9-d", "t25-e", "t28-h", "t14-a", "t15-b", "t27-f", "t3-b")));
        assertEquals(List.of("t51-c", "t56-a", "t41-g", "t25-d", "t47-c", "t12-e", "t21-d", "t28-h", "t16-f", "t48-a",
                "t24-h", "t22-b", "t50-h", "t64-e", "t4-d", "t68-f", "t57-a", "t0-d", "t10-a", "t44-b",
                "t42-h", "t38-g", "t65-d", "t40-b", "t35-d", "t69-e", "t61-d", "t34-g", "t60-g", "t26-f",
                "t43-g", "t32-b", "t8-h", "t39-f", "t11-a", "t27-d", "t30-h", "t17-h", "t49-c", "t9-f",
                "t14-e", "t23-d", "t13-h", "t18-f", "t63-a", "t31-f", "t62-d", "t52-h", "t66-e", "t1-f",
                "t6-d", "t45-c", "t54-c", "t20-b", "t5-g", "t58-b", "t15-d", "t2-d", "t29-a", "t33-b",
                "t37-c", "t53-f", "t67-d", "t46-c", "t19-f", "t59-c", "t7-d", "t55-c", "t36-h", "t3-d"),
            GHashOrder.ofPacemakerStrkey(List.of("t22-b", "t23-d", "t62-d", "t5-g", "t65-d", "t29-a",
                "t46-c", "t4-d", "t43-g", "t27-d",
                "t31-f", "t21-d", "t13-h", "t54-c", "t42-h", "t36-h", "t57-a", "t18-f", "t26-f", "t19-f",
                "t10-a", "t25-d", "t2-d", "t48-a", "t17-h", "t14-e", "t67-d", "t37-c", "t24-h", "t63-a",
                "t61-d", "t12-e", "t15-d", "t40-b", "t6-d", "t44-b", "t41-g", "t51-c", "t55-c", "t20-b",
                "t3-d", "t35-d", "t66-e", "t39-f", "t30-h", "t47-c", "t50-h", "t60-g", "t0-d", "t38-g",
                "t11-a", "t49-c", "t28-h", "t1-f", "t59-c", "t33-b", "t9-f", "t34-g", "t8-h", "t32-b",
                "t56-a", "t64-e", "t52-h", "t68-f", "t58-b", "t45-c", "t7-d", "t16-f", "t53-f", "t69-e")));
    }
}
