// The one internet-facing NLB (design brief §8): created WITH a security group (one created without
// can never get one), an Elastic IP per zone so the MX addresses never change, PROXY protocol v2 on
// every target group so the services see client IPs, cross-zone balancing, and TCP idle timeouts
// raised on the listeners whose sessions sit idle (IMAP IDLE, POP3).
import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { FargateMailService } from './fargate-mail-service.js';

export interface ListenerRoute {
  /** Public port on the NLB, e.g. 25 or 993. */
  readonly port: number;
  readonly service: FargateMailService;
  /** Named port of the service (ServicePort.name). */
  readonly portName: string;
  /** TCP idle timeout of this listener. Default: the NLB's 350 s. */
  readonly idleTimeout?: Duration;
}

export interface MailLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly routes: readonly ListenerRoute[];
  /** How long a stopping task keeps its established flows. Default: 120 s, the tasks' stop timeout. */
  readonly deregistrationDelay?: Duration;
}

export class MailLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  /** One per zone, in the order of the VPC's public subnets: the A records of the mail host. */
  readonly addresses: readonly ec2.CfnEIP[];
  /** The target group behind each public port. */
  readonly targets: readonly { readonly port: number; readonly targetGroup: elbv2.NetworkTargetGroup }[];

  constructor(scope: Construct, id: string, props: MailLoadBalancerProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Yubin NLB: public mail ports in, task ports out',
      allowAllOutbound: false,
    });
    const publicSubnets = props.vpc.publicSubnets;
    this.addresses = publicSubnets.map((_, index) => new ec2.CfnEIP(this, `Address${index + 1}`, { domain: 'vpc' }));
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'Nlb', {
      vpc: props.vpc,
      internetFacing: true,
      securityGroups: [this.securityGroup],
      crossZoneEnabled: true,
      subnetMappings: publicSubnets.map((subnet, index) => ({ subnet, allocationId: this.addresses[index]?.attrAllocationId })),
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'NLB access logs are written only for TLS listeners; every listener here is TCP (TLS ends in the tasks for STARTTLS).',
    });
    Validations.of(this.securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'A mail server must accept SMTP, IMAP and POP3 from any address; only the listener ports are open.',
    });

    this.targets = props.routes.map((route) => {
      const servicePort = route.service.ports.find((port) => port.name === route.portName);
      if (servicePort === undefined) throw new Error(`listener ${route.port}: the service has no port named ${route.portName}`);
      this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(route.port), `${route.portName} from anywhere`);
      // Tasks accept traffic only from the NLB's security group (also the health checks' source).
      route.service.service.connections.allowFrom(
        this.securityGroup,
        ec2.Port.tcp(servicePort.containerPort),
        `${route.portName} from the NLB`,
      );
      const listener = this.loadBalancer.addListener(`Listener${route.port}`, {
        port: route.port,
        protocol: elbv2.Protocol.TCP,
        ...(route.idleTimeout === undefined ? {} : { tcpIdleTimeout: route.idleTimeout }),
      });
      const targetGroup = listener.addTargets(`Targets${route.port}`, {
        port: servicePort.containerPort,
        protocol: elbv2.Protocol.TCP,
        targets: [
          route.service.service.loadBalancerTarget({
            containerName: route.service.container.containerName,
            containerPort: servicePort.containerPort,
          }),
        ],
        // The services read the client address from the PROXY v2 header; the NLB sends one on
        // health checks too, with the LOCAL command and no addresses.
        proxyProtocolV2: true,
        preserveClientIp: false,
        deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(120),
        healthCheck: {
          protocol: elbv2.Protocol.TCP,
          interval: Duration.seconds(10),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 2,
        },
      });
      return { port: route.port, targetGroup };
    });
  }
}
