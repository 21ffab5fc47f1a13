package org.vigil.crm.fencer.internal;

import java.util.List;

/**
 * What the node's fencer found wrong in the CIB's fencing configuration, for {@code stonith_admin} (inside this
 * bundle; not part of the API): {@link FencerService} implements it next to the {@code Fencer} service.
 */
public interface FencerDiagnostics {

    /**
     * The problems of the configuration last applied, each naming its place (a device left out, an option ignored,
     * a level naming a device the CIB lacks), as the log reports them; empty when there are none.
     */
    List<String> configurationProblems();
}
