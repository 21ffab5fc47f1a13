/**
 * The controllers' messages over the CPG group {@value org.vigil.crm.api.exec.CrmdMessages#GROUP} (election, join,
 * operation requests in Pacemaker's graph form, {@link org.vigil.crm.api.exec.ExecRequest}); the node's executor
 * service the local controller drives ({@link org.vigil.crm.api.exec.Executor}); and the operation digest the
 * executor and the scheduler must compute alike ({@link org.vigil.crm.api.exec.OpDigest}); the actions in flight one
 * revision of the executor hands to the next ({@link org.vigil.crm.api.exec.ExecHandover}, 1.3.0).
 */
@Export
@Version("1.3.0")
package org.vigil.crm.api.exec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
