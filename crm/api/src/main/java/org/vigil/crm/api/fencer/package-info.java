/**
 * Fencing: the {@link org.vigil.crm.api.fencer.Fencer} service (Pacemaker's {@code pacemaker-fenced}), the
 * {@link org.vigil.crm.api.fencer.FenceAction}s it takes and the {@link org.vigil.crm.api.fencer.FenceEvent}s it
 * answers and records in its history.
 */
@Export
@Version("1.1.0")
package org.vigil.crm.api.fencer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
