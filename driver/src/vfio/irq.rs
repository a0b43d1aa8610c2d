//! The card's interrupt as the VFIO transports get it: an eventfd the kernel (MSI vector 0)
//! or the vfio-user server signals.

use std::os::fd::AsRawFd;
use std::time::Duration;

use vmm_sys_util::epoll::{ControlOperation, Epoll, EpollEvent, EventSet};
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

pub(crate) struct Irq {
    event: EventFd,
    epoll: Epoll,
}

impl Irq {
    pub(crate) fn new() -> std::io::Result<Irq> {
        let event = EventFd::new(EFD_NONBLOCK)?;
        let epoll = Epoll::new()?;
        epoll.ctl(
            ControlOperation::Add,
            event.as_raw_fd(),
            EpollEvent::new(EventSet::IN, 0),
        )?;
        Ok(Irq { event, epoll })
    }

    pub(crate) fn event(&self) -> &EventFd {
        &self.event
    }

    /// True if the interrupt came within `timeout` (and consumes it).
    pub(crate) fn wait(&self, timeout: Duration) -> std::io::Result<bool> {
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        let mut events = [EpollEvent::default()];
        match self.epoll.wait(ms, &mut events) {
            Ok(0) => Ok(false),
            Ok(_) => match self.event.read() {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(false),
                Err(e) => Err(e),
            },
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_times_out_and_consumes() {
        let irq = Irq::new().unwrap();
        assert!(!irq.wait(Duration::from_millis(1)).unwrap());
        irq.event().write(1).unwrap();
        irq.event().write(1).unwrap();
        assert!(irq.wait(Duration::from_millis(1)).unwrap());
        assert!(
            !irq.wait(Duration::from_millis(1)).unwrap(),
            "two signals, one wake"
        );
    }
}
