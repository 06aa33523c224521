/** Task ids for the benchmarks' fake tasks, in each vendor's own form. */

/** The id of SoftwareOne fake task `i`, in the vendor's TSK-XXXX-YYYY-YYYY-YYYY form. */
export function softwareOneId(i: number): string {
  return `TSK-0000-0000-${String(Math.floor(i / 10_000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
}
