/**
 * What the controller and the executor say to each other over the CPG group
 * {@value org.vigil.crm.api.exec.CrmdMessages#GROUP}: operation requests in Pacemaker's graph form
 * ({@link org.vigil.crm.api.exec.ExecRequest}), cancellations, history deletions and the join handshake; and the
 * operation digest both must compute alike ({@link org.vigil.crm.api.exec.OpDigest}).
 */
@Export
@Version("1.0.0")
package org.vigil.crm.api.exec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
