// Two visitors in one walk: e.g. a model built from a file and its element tree, for the cost of one
// pass over the element headers.
import type { ByteWindow } from '../byteSource';
import type { EbmlElement, EbmlVisitor, SkimContext } from './walker';
import { SKIM_NEVER } from './walker';

/**
 * A visitor that shows every element to both visitors, `first` first. A master's children are walked
 * when either visitor wants them, and shown only to the visitors that asked for them; each still gets
 * `leave` for every master it was shown. `second` gets `peek` after `first` ran, stale if `first` read
 * the source meanwhile: make the visitor that needs `peek` the first.
 */
export function pairVisitors(first: EbmlVisitor, second: EbmlVisitor): EbmlVisitor {
  return new VisitorPair(first, second);
}

class VisitorPair implements EbmlVisitor {
  /** The master whose children `first` declined (it sees nothing until that master ends). */
  private firstSkips: EbmlElement | undefined;
  private secondSkips: EbmlElement | undefined;

  constructor(
    private readonly first: EbmlVisitor,
    private readonly second: EbmlVisitor,
  ) {}

  enter(element: EbmlElement, peek: Uint8Array): boolean | undefined {
    const firstSees = this.firstSkips === undefined;
    const secondSees = this.secondSkips === undefined;
    const firstWants = firstSees && this.first.enter(element, peek) !== false;
    const secondWants = secondSees && this.second.enter(element, peek) !== false;
    if (element.type !== 'master') return undefined;
    if (firstSees && !firstWants) this.firstSkips = element;
    if (secondSees && !secondWants) this.secondSkips = element;
    return firstWants || secondWants;
  }

  /**
   * A visitor's skim, while the other one sees nothing (a skimmed element is shown to no one else). Who
   * sees a master's children does not change while they are walked, so SKIM_NEVER when both do.
   */
  skim(parent: EbmlElement, window: ByteWindow, pos: number, bound: number, walk: SkimContext): number {
    if (this.firstSkips === undefined) {
      return this.secondSkips !== undefined && this.first.skim ? this.first.skim(parent, window, pos, bound, walk) : SKIM_NEVER;
    }
    return this.secondSkips === undefined && this.second.skim ? this.second.skim(parent, window, pos, bound, walk) : SKIM_NEVER;
  }

  leave(element: EbmlElement): void {
    if (this.firstSkips === undefined || this.firstSkips === element) {
      this.firstSkips = undefined;
      this.first.leave?.(element);
    }
    if (this.secondSkips === undefined || this.secondSkips === element) {
      this.secondSkips = undefined;
      this.second.leave?.(element);
    }
  }
}
