package assistant

// For the package's own tests only: the service's store and hub, to set up and inspect
// what a test needs beyond the service's methods. Nothing outside assistant can reach them.

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

// Hub returns the service's hub.
func (s *Service) Hub() *Hub { return s.hub }
