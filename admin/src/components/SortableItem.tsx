/**
 * Drag and drop within one list of the side panel, on the `react-dnd` context Strapi's admin
 * provides around every page (HTML5 backend, `@strapi/admin`'s AuthenticatedLayout), the one the
 * Content Manager's own sortable lists use. Items of one list only accept items of the same list.
 */
import * as React from 'react';
import { useDrag, useDrop } from 'react-dnd';

interface DragItem {
  key: string;
  index: number;
}

interface Options {
  /** The list the item belongs to: an item is dropped only within its own list. */
  list: string;
  itemKey: string;
  index: number;
  canDrag: boolean;
  /** Called on a drop of the item at `from` onto this item, at `to`. */
  onMove(from: number, to: number): void;
}

export function useSortableItem({ list, itemKey, index, canDrag, onMove }: Options) {
  const type = `personalization-variant:${list}`;
  const [{ isDragging }, drag, preview] = useDrag(
    () => ({ type, item: { key: itemKey, index }, canDrag, collect: (monitor) => ({ isDragging: monitor.isDragging() }) }),
    [type, itemKey, index, canDrag]
  );
  const [{ isOver }, drop] = useDrop<DragItem, void, { isOver: boolean }>(
    () => ({
      accept: type,
      canDrop: (item) => item.index !== index,
      drop: (item) => onMove(item.index, index),
      collect: (monitor) => ({ isOver: monitor.isOver() && monitor.canDrop() }),
    }),
    [type, index, onMove]
  );
  const itemRef = React.useCallback(
    (node: HTMLElement | null) => {
      drop(node);
      preview(node);
    },
    [drop, preview]
  );
  const handleRef = React.useCallback((node: HTMLElement | null) => void drag(node), [drag]);
  return { itemRef, handleRef, isDragging, isOver };
}
