//! Batching concurrent requests into one `embed` call.
//!
//! A request queues its texts as a *job*. If no batch is being led, it
//! becomes the leader: it waits a short window (so requests the host
//! delivers meanwhile can queue), takes the queued jobs from the front (up
//! to `max_texts` texts, at least one job), embeds them in one call, hands
//! each job its rows, and passes the lead to the job now at the front of
//! the queue, if any. Each leader runs one round, so a request waits for at
//! most the rounds of the jobs queued before it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// One request's embeddings, or why they could not be made.
pub type Rows = Result<Vec<Vec<f32>>, String>;

/// The queue of jobs and whether a leader is running.
#[derive(Default)]
pub struct Batcher {
    queue: RefCell<VecDeque<Job>>,
    leading: Cell<bool>,
}

struct Job {
    texts: Vec<String>,
    slot: Rc<Slot>,
}

#[derive(Default)]
struct Slot {
    state: RefCell<SlotState>,
    waker: RefCell<Option<Waker>>,
}

#[derive(Default)]
enum SlotState {
    #[default]
    Queued,
    /// Lead the next round.
    Lead,
    Done(Rows),
}

impl Slot {
    fn set(&self, state: SlotState) {
        *self.state.borrow_mut() = state;
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    fn is_done(&self) -> bool {
        matches!(*self.state.borrow(), SlotState::Done(_))
    }
}

/// Ready when the slot leads or is done.
struct SlotWait<'a>(&'a Slot);

impl Future for SlotWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if matches!(*self.0.state.borrow(), SlotState::Queued) {
            *self.0.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// A request's place in the batcher; dropping it early (the request
/// cancelled) takes its job out of the queue and passes on the lead, and
/// fails the jobs of a round it was leading.
struct Ticket<'a> {
    batcher: &'a Batcher,
    slot: Rc<Slot>,
    lead: bool,
    /// The jobs of the round this ticket is leading.
    taken: Vec<Rc<Slot>>,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        for slot in self.taken.drain(..) {
            if !slot.is_done() {
                slot.set(SlotState::Done(Err("the request leading this batch was cancelled; retry".into())));
            }
        }
        self.batcher.queue.borrow_mut().retain(|job| !Rc::ptr_eq(&job.slot, &self.slot));
        if self.lead || matches!(*self.slot.state.borrow(), SlotState::Lead) {
            self.batcher.hand_off();
        }
    }
}

/// Takes jobs from the front of `queue` while their texts fit `max_texts`
/// (at least one job, however many texts it has).
fn take_round(queue: &mut VecDeque<Job>, max_texts: usize) -> Vec<Job> {
    let mut round = Vec::new();
    let mut texts = 0;
    while let Some(job) = queue.front() {
        if !round.is_empty() && texts + job.texts.len() > max_texts {
            break;
        }
        texts += job.texts.len();
        round.extend(queue.pop_front());
    }
    round
}

/// Splits `rows` into consecutive runs of `counts[i]` rows.
pub fn split_rows(rows: Vec<Vec<f32>>, counts: &[usize]) -> Vec<Vec<Vec<f32>>> {
    let mut rows = rows.into_iter();
    counts.iter().map(|&n| rows.by_ref().take(n).collect()).collect()
}

impl Batcher {
    /// An empty batcher.
    pub fn new() -> Self {
        Self::default()
    }

    /// The embeddings of `texts`, made in one `embed` call with the texts
    /// of other requests queued meanwhile (at most `max_texts` in all,
    /// unless one request has more). A leader awaits `window` before it
    /// takes the queue.
    pub async fn embed<W, E, F>(&self, texts: Vec<String>, max_texts: usize, window: W, embed: E) -> Rows
    where
        W: Future<Output = ()>,
        E: FnOnce(Vec<String>) -> F,
        F: Future<Output = Rows>,
    {
        let slot = Rc::new(Slot::default());
        self.queue.borrow_mut().push_back(Job { texts, slot: Rc::clone(&slot) });
        let mut ticket = Ticket { batcher: self, slot, lead: false, taken: Vec::new() };
        if self.leading.get() {
            SlotWait(&ticket.slot).await;
            if ticket.slot.is_done() {
                return take_rows(&ticket.slot);
            }
        } else {
            self.leading.set(true);
            ticket.lead = true;
            window.await;
        }
        ticket.lead = true;
        let round = take_round(&mut self.queue.borrow_mut(), max_texts);
        debug_assert!(round.first().is_some_and(|job| Rc::ptr_eq(&job.slot, &ticket.slot)), "a leader's job is first");
        let counts: Vec<usize> = round.iter().map(|job| job.texts.len()).collect();
        let mut texts = Vec::with_capacity(counts.iter().sum());
        for job in round {
            texts.extend(job.texts);
            ticket.taken.push(job.slot);
        }
        let expected = texts.len();
        let result = embed(texts).await;
        let slots = std::mem::take(&mut ticket.taken);
        match result {
            Ok(rows) if rows.len() == expected => {
                for (slot, rows) in slots.iter().zip(split_rows(rows, &counts)) {
                    slot.set(SlotState::Done(Ok(rows)));
                }
            }
            Ok(rows) => {
                let message = format!("the model returned {} embeddings for {expected} texts", rows.len());
                slots.iter().for_each(|slot| slot.set(SlotState::Done(Err(message.clone()))));
            }
            Err(message) => slots.iter().for_each(|slot| slot.set(SlotState::Done(Err(message.clone())))),
        }
        ticket.lead = false;
        self.hand_off();
        take_rows(&ticket.slot)
    }

    /// Passes the lead to the job at the front of the queue, or ends it.
    fn hand_off(&self) {
        match self.queue.borrow().front() {
            Some(job) => job.slot.set(SlotState::Lead),
            None => self.leading.set(false),
        }
    }
}

fn take_rows(slot: &Slot) -> Rows {
    match std::mem::take(&mut *slot.state.borrow_mut()) {
        SlotState::Done(rows) => rows,
        _ => Err("internal error: the batch ended without this request's rows".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Pending until `open` is set.
    fn gate(open: &Cell<bool>) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |_| if open.get() { Poll::Ready(()) } else { Poll::Pending })
    }

    /// An embedding of each text: its length, and the call's number.
    fn fake(calls: &Cell<u32>) -> impl FnOnce(Vec<String>) -> std::future::Ready<Rows> + '_ {
        move |texts| {
            calls.set(calls.get() + 1);
            std::future::ready(Ok(texts.iter().map(|t| vec![t.len() as f32, calls.get() as f32]).collect()))
        }
    }

    fn texts(of: &[&str]) -> Vec<String> {
        of.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_rows() {
        let rows = vec![vec![0.0], vec![1.0], vec![2.0]];
        assert_eq!(split_rows(rows, &[2, 0, 1]), [vec![vec![0.0], vec![1.0]], vec![], vec![vec![2.0]]]);
    }

    #[test]
    fn takes_whole_jobs_up_to_the_cap() {
        let job = |n: usize| Job { texts: vec![String::new(); n], slot: Rc::default() };
        let mut queue: VecDeque<Job> = [job(3), job(2), job(1)].into();
        assert_eq!(take_round(&mut queue, 5).len(), 2);
        let mut queue: VecDeque<Job> = [job(9), job(1)].into();
        assert_eq!(take_round(&mut queue, 5).len(), 1, "a job over the cap goes alone");
    }

    #[test]
    fn concurrent_requests_share_one_call() {
        let batcher = Batcher::new();
        let (open, calls) = (Cell::new(false), Cell::new(0));
        let mut a = std::pin::pin!(batcher.embed(texts(&["a"]), 64, gate(&open), fake(&calls)));
        let mut b = std::pin::pin!(batcher.embed(texts(&["bb", "ccc"]), 64, gate(&open), fake(&calls)));
        let mut c = std::pin::pin!(batcher.embed(texts(&["dddd"]), 64, gate(&open), fake(&calls)));
        assert!(poll(a.as_mut()).is_pending(), "the leader waits out its window");
        assert!(poll(b.as_mut()).is_pending());
        assert!(poll(c.as_mut()).is_pending());
        open.set(true);
        assert_eq!(poll(a.as_mut()), Poll::Ready(Ok(vec![vec![1.0, 1.0]])));
        assert_eq!(poll(b.as_mut()), Poll::Ready(Ok(vec![vec![2.0, 1.0], vec![3.0, 1.0]])));
        assert_eq!(poll(c.as_mut()), Poll::Ready(Ok(vec![vec![4.0, 1.0]])));
        assert_eq!(calls.get(), 1);
        assert!(!batcher.leading.get());
    }

    #[test]
    fn the_cap_makes_a_second_round_led_by_the_next_job() {
        let batcher = Batcher::new();
        let calls = Cell::new(0);
        let open = Cell::new(false);
        let mut a = std::pin::pin!(batcher.embed(texts(&["a", "a"]), 2, gate(&open), fake(&calls)));
        let mut b = std::pin::pin!(batcher.embed(texts(&["b"]), 2, gate(&open), fake(&calls)));
        let mut c = std::pin::pin!(batcher.embed(texts(&["c"]), 2, gate(&open), fake(&calls)));
        assert!(poll(a.as_mut()).is_pending());
        assert!(poll(b.as_mut()).is_pending());
        assert!(poll(c.as_mut()).is_pending());
        open.set(true);
        assert!(poll(a.as_mut()).is_ready());
        assert_eq!(calls.get(), 1);
        // c is served by b's round, the second call.
        assert!(poll(c.as_mut()).is_pending());
        assert_eq!(poll(b.as_mut()), Poll::Ready(Ok(vec![vec![1.0, 2.0]])));
        assert_eq!(poll(c.as_mut()), Poll::Ready(Ok(vec![vec![1.0, 2.0]])));
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn errors_reach_every_job() {
        let batcher = Batcher::new();
        let open = Cell::new(false);
        let fail = |_| std::future::ready(Err("GPU lost".to_string()));
        let mut a = std::pin::pin!(batcher.embed(texts(&["a"]), 8, gate(&open), fail));
        let mut b = std::pin::pin!(batcher.embed(texts(&["b"]), 8, gate(&open), fail));
        assert!(poll(a.as_mut()).is_pending());
        assert!(poll(b.as_mut()).is_pending());
        open.set(true);
        assert_eq!(poll(a.as_mut()), Poll::Ready(Err("GPU lost".into())));
        assert_eq!(poll(b.as_mut()), Poll::Ready(Err("GPU lost".into())));
    }

    #[test]
    fn a_cancelled_leader_passes_the_lead() {
        let batcher = Batcher::new();
        let calls = Cell::new(0);
        let never = Cell::new(false);
        let mut a = Box::pin(batcher.embed(texts(&["a"]), 8, gate(&never), fake(&calls)));
        let mut b = std::pin::pin!(batcher.embed(texts(&["b"]), 8, gate(&never), fake(&calls)));
        assert!(poll(a.as_mut()).is_pending());
        assert!(poll(b.as_mut()).is_pending());
        drop(a);
        // b leads now, without a window of its own.
        assert_eq!(poll(b.as_mut()), Poll::Ready(Ok(vec![vec![1.0, 1.0]])));
        assert!(!batcher.leading.get());
        assert!(batcher.queue.borrow().is_empty());
    }

    #[test]
    fn a_leader_cancelled_mid_round_fails_its_round() {
        let batcher = Batcher::new();
        let open = Cell::new(true);
        let stuck = |_| std::future::pending::<Rows>();
        let mut a = Box::pin(batcher.embed(texts(&["a"]), 8, gate(&open), stuck));
        assert!(poll(a.as_mut()).is_pending(), "a is embedding");
        let calls = Cell::new(0);
        let mut b = std::pin::pin!(batcher.embed(texts(&["b"]), 8, gate(&open), fake(&calls)));
        assert!(poll(b.as_mut()).is_pending(), "b waits for the next round");
        drop(a);
        assert_eq!(poll(b.as_mut()), Poll::Ready(Ok(vec![vec![1.0, 1.0]])));
    }
}
