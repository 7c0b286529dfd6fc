import type { ListChange, ListUpdate, RoutingListName, RoutingLists, StoredList } from './routing-lists';

/** The live routing lists of each service (Parameter Store on AWS, domain/routing-lists.ts). */
export interface RoutingListStore {
  /** Both lists of `service` as stored now (empty, version 0, when none is). */
  read(service: string): Promise<RoutingLists>;
  /**
   * Applies `update` to one list as stored now, and again on top of any write that raced it, so that two people
   * changing a list at once both see their change kept. `note` says who changed what, in the list's history.
   */
  update(
    service: string,
    list: RoutingListName,
    update: (entries: readonly string[]) => ListUpdate,
    note: string,
  ): Promise<{ readonly update: ListUpdate; readonly stored: StoredList }>;
}

/** Sends the routing lists to the hosts that route users now (the apply document, through Run Command). */
export interface RoutingListHosts {
  apply(request: {
    readonly releaseId: string;
    readonly targets: Readonly<Record<string, string>>;
    readonly parameters: Readonly<Record<string, string>>;
  }): Promise<{ readonly commandId: string }>;
}

/** Where the Slack function hands a change of the lists, which it may not write itself (the `effects` function). */
export interface ListChangeHandOff {
  handOff(change: ListChange): Promise<void>;
}
