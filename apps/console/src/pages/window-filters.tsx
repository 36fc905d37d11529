import { useState } from 'react';
import { Field, NamedOptions } from '../ui';
import type { Named } from './window-changes';

/** What the windows list is narrowed to; empty means any. */
export interface WindowFilterValues {
  keyword: string;
  groupId: string;
  tagId: string;
  openStatus: string;
}

export const NO_FILTERS: WindowFilterValues = { keyword: '', groupId: '', tagId: '', openStatus: '' };

/** The `/browser/list` query for one page of the filtered windows. */
export function windowListQuery(filters: WindowFilterValues, page: number, pageSize: number) {
  return {
    page,
    pageSize,
    ...(filters.keyword ? { keyword: filters.keyword } : {}),
    ...(filters.groupId ? { groupId: Number(filters.groupId) } : {}),
    ...(filters.tagId ? { tagIds: [Number(filters.tagId)] } : {}),
    ...(filters.openStatus ? { openStatus: filters.openStatus } : {}),
  };
}

/**
 * The search bar above the windows: a typed keyword applies on Search, a chosen group, tag or
 * status at once. `onNew` shows the New window button.
 */
export function WindowFilters(props: {
  value: WindowFilterValues;
  onChange: (filters: WindowFilterValues) => void;
  groups: Named[] | undefined;
  tags: Named[] | undefined;
  onNew?: () => void;
}) {
  const { value, onChange } = props;
  const [keyword, setKeyword] = useState(value.keyword);
  return (
    <form
      className="toolbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ ...value, keyword: keyword.trim() });
      }}
    >
      <Field label="Search name or remark">
        <input type="search" value={keyword} onChange={(e) => setKeyword(e.target.value)} />
      </Field>
      {/* A choice below applies what the search box says now too, not the search last sent. */}
      <Field label="Group">
        <select value={value.groupId} onChange={(e) => onChange({ ...value, keyword: keyword.trim(), groupId: e.target.value })}>
          <option value="">All groups</option>
          <NamedOptions items={props.groups} />
        </select>
      </Field>
      <Field label="Tag">
        <select value={value.tagId} onChange={(e) => onChange({ ...value, keyword: keyword.trim(), tagId: e.target.value })}>
          <option value="">All tags</option>
          <NamedOptions items={props.tags} />
        </select>
      </Field>
      <Field label="Status">
        <select value={value.openStatus} onChange={(e) => onChange({ ...value, keyword: keyword.trim(), openStatus: e.target.value })}>
          <option value="">Any status</option>
          <option value="opened">Open</option>
          <option value="closed">Closed</option>
        </select>
      </Field>
      <button type="submit">Search</button>
      {props.onNew && (
        <button type="button" className="primary" onClick={props.onNew}>
          New window
        </button>
      )}
    </form>
  );
}
