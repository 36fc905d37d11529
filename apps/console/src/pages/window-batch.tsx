import { useState } from 'react';
import { api } from '../api';
import { ConfirmButton } from '../confirm';
import { Field, NamedOptions, RunButton } from '../ui';
import { namesList, plural } from '../words';
import type { Run } from '../ui';
import type { Named } from './window-changes';

/** The status after moving windows to the recycle bin, and the Undo that brings those same windows back. */
function batchDeleteOptions(ids: number[]) {
  const moved = [...ids];
  return {
    done: `Moved ${plural(moved.length, 'window')} to the recycle bin`,
    undo: {
      what: 'Undo',
      action: () => api('/browser/recycle/restore', { ids: moved }),
      done: `Restored ${plural(moved.length, 'window')} from the recycle bin`,
    },
  };
}

/**
 * What can be done to the selected windows at once. `mayChange` allows the group, remark and proxy
 * changes (the single-window permission for one, the batch one for more), `mayDelete` the move to
 * the recycle bin; `run` reports in the page's status, which outlives the selection.
 */
export function WindowBatchBar(props: {
  ids: number[];
  /** The selected windows' names, in the order of `ids`: a confirmation names what it acts on. */
  names: string[];
  groups: Named[] | undefined;
  mayChange: boolean;
  mayDelete: boolean;
  /** The bar above already offers a Proxy menu (its "No proxy" included): no Remove proxy here. */
  proxyMenu: boolean;
  run: Run;
  after: () => void;
}) {
  const { ids, run, after } = props;
  const [groupId, setGroupId] = useState('');
  const [remark, setRemark] = useState('');
  // Hidden rather than unmounted while nothing is selected: the chosen group and remark stay for the next selection.
  if (ids.length === 0) return null;
  return (
    <section className="toolbar" aria-label="Selected windows">
      <span>{ids.length} selected</span>
      {props.mayChange && (
        <>
          <Field label="Move to group">
            <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">Choose…</option>
              <option value="0">No group</option>
              <NamedOptions items={props.groups} />
            </select>
          </Field>
          <RunButton
            run={run}
            what="Move to group"
            action={() => api('/browser/group/update', { ids, groupId: Number(groupId) })}
            after={after}
            disabled={groupId === ''}
          >
            Move
          </RunButton>
          <Field label="Remark">
            <input value={remark} onChange={(e) => setRemark(e.target.value)} />
          </Field>
          <RunButton run={run} what="Set remark" action={() => api('/browser/remark/update', { ids, remark })} after={after}>
            Set remark
          </RunButton>
          {!props.proxyMenu && (
            <RunButton
              run={run}
              what="Remove proxy"
              action={() => api('/browser/proxy/update', { ids, proxyMethod: 2, proxyType: 'direct' })}
              after={after}
            >
              Remove proxy
            </RunButton>
          )}
        </>
      )}
      {props.mayDelete && (
        <ConfirmButton
          run={run}
          danger
          what="Move to recycle bin"
          title={`Move ${plural(ids.length, 'window')} to the recycle bin?`}
          body={`${namesList(props.names)}: ${ids.length === 1 ? 'it closes' : 'they close'} for everyone and leave the list (a window chosen before the filter changed too); the recycle bin keeps ${ids.length === 1 ? 'it' : 'them'} with profile and cookies until restored or deleted for good.`}
          confirmLabel="Move to recycle bin"
          action={() => api('/browser/delete/ids', { ids })}
          options={batchDeleteOptions(ids)}
          after={after}
        >
          Delete
        </ConfirmButton>
      )}
    </section>
  );
}
