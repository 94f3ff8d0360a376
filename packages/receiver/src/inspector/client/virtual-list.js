// A fixed-row-height virtual list: only the rows in view (plus a margin) exist in the DOM, so
// 100,000 loaded summaries scroll as smoothly as 100.

const OVERSCAN = 8

export class VirtualList {
  /**
   * @param {HTMLElement} viewport scrolling element
   * @param {{ rowHeight: number, renderRow: (item: any, index: number) => HTMLElement,
   *           onNearEnd: () => void }} options
   */
  constructor(viewport, { rowHeight, renderRow, onNearEnd }) {
    this.viewport = viewport
    this.rowHeight = rowHeight
    this.renderRow = renderRow
    this.onNearEnd = onNearEnd
    /** @type {any[]} */
    this.items = []
    this.spacer = document.createElement('div')
    this.spacer.className = 'vl-spacer'
    this.viewport.append(this.spacer)
    this.frame = 0
    this.viewport.addEventListener('scroll', () => this.schedule(), { passive: true })
    new ResizeObserver(() => this.schedule()).observe(this.viewport)
  }

  /** @param {any[]} items */
  setItems(items) {
    this.items = items
    this.schedule()
  }

  /**
   * Items were added at the top: keep the rows the user is looking at where they are.
   * @param {number} count
   */
  prepended(count) {
    if (this.viewport.scrollTop > 0) this.viewport.scrollTop += count * this.rowHeight
    this.schedule()
  }

  /** @param {number} index */
  scrollToIndex(index) {
    const top = index * this.rowHeight
    const { scrollTop, clientHeight } = this.viewport
    if (top < scrollTop) this.viewport.scrollTop = top
    else if (top + this.rowHeight > scrollTop + clientHeight)
      this.viewport.scrollTop = top + this.rowHeight - clientHeight
    this.schedule()
  }

  schedule() {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.render()
    })
  }

  render() {
    const { scrollTop, clientHeight } = this.viewport
    const total = this.items.length
    this.spacer.style.height = `${total * this.rowHeight}px`
    const first = Math.max(0, Math.floor(scrollTop / this.rowHeight) - OVERSCAN)
    const last = Math.min(total, Math.ceil((scrollTop + clientHeight) / this.rowHeight) + OVERSCAN)
    const rows = []
    for (let i = first; i < last; i++) {
      const row = this.renderRow(this.items[i], i)
      row.style.transform = `translateY(${i * this.rowHeight}px)`
      rows.push(row)
    }
    this.spacer.replaceChildren(...rows)
    if (last >= total - OVERSCAN * 4) this.onNearEnd()
  }
}
